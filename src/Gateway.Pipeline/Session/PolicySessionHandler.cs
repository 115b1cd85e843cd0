using Gateway.Abstractions;
using Gateway.Policy;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Session;

/// <summary>
/// The stage checks of one SMTP session, bound to the policy snapshot taken when the connection opened, so a
/// reload never changes the rules in the middle of a transaction. Today it enforces relay control; the
/// authentication and content stages of later issues plug in here.
/// </summary>
public sealed class PolicySessionHandler : ISmtpSessionHandler
{
    private readonly RelayDecider _relay;
    private readonly IMessageAcceptor _acceptor;
    private readonly ILogger _logger;

    public PolicySessionHandler(GatewayPolicy policy, RelayDecider relay, IMessageAcceptor acceptor, ILogger logger)
    {
        Policy = policy;
        _relay = relay;
        _acceptor = acceptor;
        _logger = logger;
    }

    /// <summary>The snapshot this session runs under.</summary>
    public GatewayPolicy Policy { get; }

    public ValueTask<Verdict> OnConnectAsync(SessionFacts session, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Verdict.Continue);

    public ValueTask<Verdict> OnHeloAsync(SessionFacts session, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Verdict.Continue);

    public ValueTask<Verdict> OnMailFromAsync(SessionFacts session, Mailbox? from, MailParameters parameters, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Verdict.Continue);

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
        return (Verdict.Continue, writer);
    }
}
