using Gateway.Abstractions;
using Gateway.Authentication.Spf;
using Gateway.Pipeline.Flow;
using Gateway.Pipeline.Limits;
using Gateway.Pipeline.Recipients;
using Gateway.Pipeline.Steps.Smime;
using Gateway.Policy;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Session;

/// <summary>
/// The stage checks of one SMTP session, bound to the pipeline of the policy snapshot taken when the connection
/// opened, so a reload never changes the rules in the middle of a transaction. The trust decision is made here once
/// (again only when AUTH or STARTTLS change what it rests on) and used for every stage: sender ownership and SPF at
/// MAIL FROM, relay control at RCPT, and at DATA the message's parts by direction, each with its flow.
/// </summary>
public sealed class PolicySessionHandler : ISmtpSessionHandler
{
    private static readonly MailDirection[] Directions = [MailDirection.Inbound, MailDirection.Outbound];

    private readonly MessagePipeline _pipeline;
    private readonly IMessageAcceptor _acceptor;
    private readonly ILogger _logger;
    private SessionFacts? _trustedFacts;
    private ClientTrust _trust = ClientTrust.Anonymous;
    private Task<SpfCheck>? _spf;
    private readonly ClientReputation? _reputation;

    /// <summary>MAIL FROM's SIZE= (RFC 1870) of this transaction, held against each recipient domain's limit at RCPT.</summary>
    private long? _declaredSize;

    /// <summary>MAIL FROM's REQUIRETLS (RFC 8689) in this transaction, held against each inbound recipient's route at RCPT.</summary>
    private bool _requireTls;

    /// <summary>The encryption plan of each outbound recipient of this transaction, made at RCPT and used to split the parts.</summary>
    private readonly Dictionary<Mailbox, SmimeRecipientPlan> _plans = [];

    public PolicySessionHandler(MessagePipeline pipeline, IMessageAcceptor acceptor, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(acceptor);
        ArgumentNullException.ThrowIfNull(logger);
        _pipeline = pipeline;
        _acceptor = acceptor;
        _logger = logger;
        _reputation = ClientReputation.For(pipeline.Reputation, logger);
    }

    /// <summary>The snapshot this session runs under.</summary>
    public GatewayPolicy Policy => _pipeline.Policy;

    /// <summary>Rate limits and greylisting of the snapshot, over the process's counters; null: none configured.</summary>
    public SessionLimits? Limits { get; init; }

    /// <summary>
    /// The listener refuses MAIL until AUTH succeeds (require_auth), so every transaction here will be authenticated:
    /// the reputation lookups that would overlap an anonymous client's dialogue are not started.
    /// </summary>
    public bool AuthRequired { get; init; }

    public ValueTask<Verdict> OnConnectAsync(SessionFacts session, CancellationToken cancellationToken)
    {
        var trust = TrustOf(session);
        if (Limits?.OnConnect(session, trust) is { IsContinue: false } limited)
        {
            return ValueTask.FromResult(limited);
        }

        if (!AuthRequired)
        {
            _reputation?.Connect(session, trust, cancellationToken);
        }

        return ValueTask.FromResult(Verdict.Continue);
    }

    public ValueTask<Verdict> OnHeloAsync(SessionFacts session, CancellationToken cancellationToken)
    {
        if (!AuthRequired)
        {
            _reputation?.Helo(session, TrustOf(session), cancellationToken);
        }

        return ValueTask.FromResult(Verdict.Continue);
    }

    public async ValueTask<Verdict> OnMailFromAsync(SessionFacts session, Mailbox? from, MailParameters parameters, CancellationToken cancellationToken)
    {
        _spf = null;
        _plans.Clear();
        _declaredSize = parameters.Size;
        _requireTls = parameters.RequireTls;

        // Next to the listener's require_tls, which the session enforces before it asks us: the same 530 for a
        // client network or a partner's sender domain that must always use TLS (RFC 3207 4).
        if (_pipeline.TlsRequirement.Reason(session, from) is { } tlsReason)
        {
            PipelineLog.TlsRequired(_logger, session.SessionId, session.ClientAddress, tlsReason);
            return Verdict.Reject(PipelineReplies.TlsRequired, tlsReason);
        }

        var trust = TrustOf(session);
        if (!_pipeline.Trust.OwnsSender(trust, from))
        {
            PipelineLog.SenderNotOwned(_logger, session.SessionId, trust.User!, from!);
            return Verdict.Reject(PipelineReplies.SenderNotOwned(trust.User!), "sender not owned by " + trust.User);
        }

        if (Limits?.OnMailFrom(session, trust, from) is { IsContinue: false } limited)
        {
            return limited;
        }

        _reputation?.MailFrom(session, trust, from, cancellationToken);

        if (!_pipeline.RunsSpf(trust) || _pipeline.Authentication is not { } auth)
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
                return Verdict.Reject(PipelineReplies.SpfFail, "spf=fail " + check.Domain);
            }
        }

        return Verdict.Continue;
    }

    public async ValueTask<RecipientDecision> OnRecipientAsync(
        SessionFacts session, Mailbox? from, Mailbox recipient, RecipientParameters parameters, CancellationToken cancellationToken)
    {
        var trust = TrustOf(session);
        if (Limits?.OnRecipient(session, trust, from) is { IsContinue: false } limited)
        {
            return RecipientDecision.Refuse(limited);
        }

        var result = _pipeline.Trust.Route(trust, recipient);
        switch (result.Outcome)
        {
            case RelayOutcome.Inbound:
                return await InboundRecipientAsync(session, trust, from, recipient, cancellationToken).ConfigureAwait(false);
            case RelayOutcome.Outbound:
                var plan = _pipeline.Encryption is { } encryption
                    ? (await encryption.PlanAsync(recipient, cancellationToken).ConfigureAwait(false)).Plan
                    : SmimeRecipientPlan.Plain;
                if (plan == SmimeRecipientPlan.Refuse)
                {
                    // Refused here, the sender's own server returns the failure notice; nothing leaves in plaintext.
                    var reply = PipelineReplies.EncryptionCertificateMissing(recipient.ToString());
                    return RecipientDecision.Refuse(Verdict.Reject(reply, "S/MIME encryption required, no certificate for " + recipient));
                }

                _plans[recipient] = plan;
                return RecipientDecision.Accept(MailDirection.Outbound);
            default:
                // Who tried, as the client named itself and the envelope sender it gave: what an admin searches for.
                PipelineLog.RelayDenied(_logger, session.SessionId, session.ClientAddress, session.HeloName ?? "-", from, recipient, result.Reason);
                return RecipientDecision.Refuse(Verdict.Reject(PipelineReplies.RelayDenied, result.Reason));
        }
    }

    /// <summary>
    /// A recipient in one of our domains: known to the domain's source of addresses (list, LDAP, call-ahead), and the
    /// declared size within what the domain takes. An unknown address is 550 5.1.1, a source that gives no verdict
    /// 451 4.4.3, a declared size over the domain's limit 552 5.3.4: each is said now, so nothing is accepted that
    /// would bounce later to a sender who may be forged.
    /// </summary>
    private async ValueTask<RecipientDecision> InboundRecipientAsync(
        SessionFacts session, ClientTrust trust, Mailbox? from, Mailbox recipient, CancellationToken cancellationToken)
    {
        var check = await _pipeline.Recipients.CheckAsync(recipient, cancellationToken).ConfigureAwait(false);
        switch (check.Status)
        {
            case RecipientStatus.Unknown:
                PipelineLog.UnknownRecipient(_logger, session.SessionId, session.ClientAddress, recipient, check.Source, check.Detail ?? string.Empty);
                return RecipientDecision.Refuse(Verdict.Reject(PipelineReplies.UnknownRecipient(recipient.ToString()), "unknown recipient " + recipient));
            case RecipientStatus.Unavailable:
                PipelineLog.VerificationUnavailable(_logger, session.SessionId, session.ClientAddress, recipient, check.Source, check.Detail ?? string.Empty);
                return RecipientDecision.Refuse(Verdict.Reject(
                    PipelineReplies.VerificationUnavailable(recipient.ToString()), $"recipient verification ({check.Source}) unavailable for {recipient}"));
        }

        // RFC 8689: delivery to the internal server would refuse this message for want of a verified TLS route; say so
        // now rather than answer 250 and return a failure notice for every such message.
        if (_requireTls && RequireTlsRoute.CannotCarry(Policy, recipient.Domain))
        {
            PipelineLog.RequireTlsNoVerifiedRoute(_logger, session.SessionId, session.ClientAddress, recipient);
            return RecipientDecision.Refuse(Verdict.Reject(PipelineReplies.RequireTlsNoVerifiedRoute(recipient.Domain), "REQUIRETLS: no verified TLS route for " + recipient.Domain));
        }

        // Asked after the check, which may just have learned the limit from the internal server.
        if (_declaredSize is { } declared && _pipeline.Recipients.MaxMessageSize(recipient.Domain) is { } limit && declared > limit)
        {
            PipelineLog.DeclaredSizeTooBig(_logger, session.SessionId, session.ClientAddress, recipient, declared, limit);
            return RecipientDecision.Refuse(Verdict.Reject(PipelineReplies.MessageTooBigForDomain(recipient.Domain), $"SIZE={declared} over {limit} for {recipient.Domain}"));
        }

        // A listed client is refused outright; greylisting it would only invite it back. Except for postmaster: RFC 5321
        // 4.5.1 asks every reasonable effort to accept its mail, and a listed sender's way out is to write to it. Its
        // message is still scored with the same inputs after DATA.
        if (_reputation is not null && !RecipientsPolicy.IsPostmaster(recipient)
            && await _reputation.RefusalAsync(session, trust).ConfigureAwait(false) is { } listed)
        {
            return RecipientDecision.Refuse(listed);
        }

        var reputation = _reputation;
        Func<ValueTask<bool>>? allowListed = reputation is null ? null : () => reputation.AllowListedAsync(session, trust);
        if (Limits is { } limits
            && await limits.GreylistAsync(session, trust, from, recipient, _spf, cancellationToken, allowListed).ConfigureAwait(false) is { IsContinue: false } greylisted)
        {
            return RecipientDecision.Refuse(greylisted);
        }

        return RecipientDecision.Accept(MailDirection.Inbound);
    }

    public async ValueTask<(Verdict Verdict, IMessageWriter? Writer)> OnMessageStartAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var trust = TrustOf(envelope.Session);
        var parts = new List<MessagePart>(2);
        try
        {
            // Inbound first: the order of the queue ids in the reply.
            foreach (var direction in Directions)
            {
                foreach (var recipients in await GroupAsync(envelope, direction, cancellationToken).ConfigureAwait(false))
                {
                    var part = envelope with { Recipients = recipients, Trust = trust };
                    parts.Add(new MessagePart(direction, part, await _acceptor.BeginAsync(part, cancellationToken).ConfigureAwait(false)));
                }
            }
        }
        catch
        {
            foreach (var part in parts)
            {
                await part.Writer.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        return (Verdict.Continue, new PipelineMessageWriter(_pipeline, trust, _spf, parts, SizeLimit(envelope), _reputation?.ScoresAsync(envelope.Session, trust)));
    }

    /// <summary>
    /// One direction's recipients, as the parts they are queued in: one part, except outbound when some recipients get
    /// encrypted mail and others plain mail (each part then gets its own content).
    /// </summary>
    private async ValueTask<List<List<EnvelopeRecipient>>> GroupAsync(Envelope envelope, MailDirection direction, CancellationToken cancellationToken)
    {
        var recipients = envelope.Recipients.Where(r => r.Direction == direction).ToList();
        if (recipients.Count == 0)
        {
            return [];
        }

        if (direction != MailDirection.Outbound || _pipeline.Encryption is not { } encryption)
        {
            return [recipients];
        }

        var encrypted = new List<EnvelopeRecipient>();
        var plain = new List<EnvelopeRecipient>();
        foreach (var recipient in recipients)
        {
            // The plan made at RCPT; the encryption step looks again and refuses rather than send a required one plain.
            if (!_plans.TryGetValue(recipient.Address, out var plan))
            {
                (plan, _) = await encryption.PlanAsync(recipient.Address, cancellationToken).ConfigureAwait(false);
            }

            (plan == SmimeRecipientPlan.Plain ? plain : encrypted).Add(recipient);
        }

        return new[] { encrypted, plain }.Where(g => g.Count > 0).ToList();
    }

    /// <summary>The smallest per-domain message size limit among the inbound recipients, with its domain; null: none applies.</summary>
    private DomainSizeLimit? SizeLimit(Envelope envelope)
    {
        DomainSizeLimit? smallest = null;
        foreach (var domain in envelope.Recipients.Where(r => r.Direction == MailDirection.Inbound).Select(r => r.Address.Domain).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (_pipeline.Recipients.MaxMessageSize(domain) is { } limit && (smallest is null || limit < smallest.Limit))
            {
                smallest = new DomainSizeLimit(domain, limit);
            }
        }

        return smallest;
    }

    /// <summary>The trust decision for the session as it is now; made again only when its inputs changed.</summary>
    private ClientTrust TrustOf(SessionFacts session)
    {
        if (_trustedFacts is not { } known
            || !Equals(known.RemoteEndPoint, session.RemoteEndPoint)
            || !string.Equals(known.AuthenticatedUser, session.AuthenticatedUser, StringComparison.Ordinal))
        {
            _trust = _pipeline.Trust.Classify(session);
            _trustedFacts = session;
        }

        return _trust;
    }
}
