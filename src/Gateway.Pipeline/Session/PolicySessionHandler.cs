using Gateway.Abstractions;
using Gateway.Authentication.Spf;
using Gateway.Pipeline.Authentication;
using Gateway.Policy;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Session;

/// <summary>
/// The stage checks of one SMTP session, bound to the policy snapshot taken when the connection opened, so a
/// reload never changes the rules in the middle of a transaction: relay control at RCPT, SPF from MAIL FROM on,
/// and at the end of DATA the message checks (inbound: DKIM, ARC, DMARC, Authentication-Results; from trusted
/// clients: DKIM signing).
/// </summary>
public sealed class PolicySessionHandler : ISmtpSessionHandler
{
    // RFC 7372 3.2: the enhanced status code for an SPF fail.
    private static readonly SmtpReply SpfFailReply = new(550, "5.7.23", "SPF validation failed");

    private readonly RelayDecider _relay;
    private readonly IMessageAcceptor _acceptor;
    private readonly SenderAuthentication? _authentication;
    private readonly ILogger _logger;
    private Task<SpfCheck>? _spf;

    public PolicySessionHandler(GatewayPolicy policy, RelayDecider relay, IMessageAcceptor acceptor, ILogger logger, SenderAuthentication? authentication = null)
    {
        Policy = policy;
        _relay = relay;
        _acceptor = acceptor;
        _logger = logger;
        _authentication = authentication;
    }

    /// <summary>The snapshot this session runs under.</summary>
    public GatewayPolicy Policy { get; }

    public ValueTask<Verdict> OnConnectAsync(SessionFacts session, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Verdict.Continue);

    public ValueTask<Verdict> OnHeloAsync(SessionFacts session, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Verdict.Continue);

    public async ValueTask<Verdict> OnMailFromAsync(SessionFacts session, Mailbox? from, MailParameters parameters, CancellationToken cancellationToken)
    {
        _spf = null;
        if (_authentication is not { Policy.Spf.Verify: true } auth || IsTrusted(session))
        {
            return Verdict.Continue;
        }

        // Started now and awaited at the end of DATA, so the lookups overlap with the rest of the transaction.
        // The session's token ends with the session, which bounds the lookups as well.
        _spf = auth.Spf.VerifyMailFromAsync(session.ClientAddress, session.HeloName ?? string.Empty, from?.ToString(), cancellationToken).AsTask();
        if (auth.Policy.Spf.RejectFail)
        {
            var check = await _spf.ConfigureAwait(false);
            if (check.Result == SpfResult.Fail)
            {
                PipelineLog.SpfRefused(_logger, session.SessionId, session.ClientAddress, check.Domain);
                return Verdict.Reject(SpfFailReply, "spf=fail " + check.Domain);
            }
        }

        return Verdict.Continue;
    }

    public ValueTask<RecipientDecision> OnRecipientAsync(
        SessionFacts session, Mailbox? from, Mailbox recipient, RecipientParameters parameters, CancellationToken cancellationToken)
    {
        var result = _relay.Decide(recipient, session.ClientAddress, session.IsAuthenticated);
        switch (result.Outcome)
        {
            case RelayOutcome.Inbound:
                return ValueTask.FromResult(RecipientDecision.Accept(MailDirection.Inbound));
            case RelayOutcome.Outbound:
                return ValueTask.FromResult(RecipientDecision.Accept(MailDirection.Outbound));
            default:
                PipelineLog.RelayDenied(_logger, session.SessionId, session.ClientAddress, recipient, result.Reason);
                return ValueTask.FromResult(RecipientDecision.Refuse(Verdict.Reject(PipelineReplies.RelayDenied, result.Reason)));
        }
    }

    public async ValueTask<(Verdict Verdict, IMessageWriter? Writer)> OnMessageStartAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var writer = await _acceptor.BeginAsync(envelope, cancellationToken).ConfigureAwait(false);
        if (_authentication is not { } auth || writer is not IInspectableMessageWriter inspectable)
        {
            return (Verdict.Continue, writer);
        }

        var session = envelope.Session;
        if (IsTrusted(session))
        {
            if (auth.SigningKeys.Count == 0)
            {
                return (Verdict.Continue, writer);
            }

            return (Verdict.Continue, new CheckingMessageWriter(
                inspectable, (w, ct) => OutboundSigning.RunAsync(auth, session.SessionId, w, _logger, ct), session.SessionId, _logger));
        }

        if (!auth.ChecksInbound)
        {
            return (Verdict.Continue, writer);
        }

        var facts = new InboundFacts(
            session.SessionId,
            session.ClientAddress,
            session.HeloName,
            envelope.From?.Domain,
            envelope.Recipients.Count > 0 ? envelope.Recipients[0].Address.Domain : null,
            _spf);
        return (Verdict.Continue, new CheckingMessageWriter(
            inspectable, (w, ct) => InboundChecks.RunAsync(auth, facts, w, _logger, ct), session.SessionId, _logger));
    }

    /// <summary>Internal senders: a trusted network or an authenticated session. Their mail is signed, not judged.</summary>
    private bool IsTrusted(SessionFacts session) => session.IsAuthenticated || _relay.IsTrustedNetwork(session.ClientAddress);
}
