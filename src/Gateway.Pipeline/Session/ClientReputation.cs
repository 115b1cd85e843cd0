using Gateway.Abstractions;
using Gateway.Pipeline.Steps.Spam;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Session;

/// <summary>
/// The list lookups and client checks of one session, each started as soon as the dialogue gives its input (the
/// address at CONNECT, the greeting at HELO, the sender at MAIL FROM) so they overlap the dialogue, and awaited only
/// when a score is needed: at RCPT when spam.reject_score is set, else at the end of DATA. Clients that are trusted or
/// authenticated are never looked up. Each group of results is logged once, when it completes.
/// </summary>
internal sealed class ClientReputation
{
    private readonly ReputationChecks _checks;
    private readonly ILogger _logger;
    private Task<ReputationPart>? _address;
    private (string Name, Task<ReputationPart> Part)? _helo;
    private (string Domain, Task<ReputationPart> Part)? _sender;
    private ReputationPart? _pipelining;
    private Task<SessionScores>? _scores;

    private ClientReputation(ReputationChecks checks, ILogger logger)
    {
        _checks = checks;
        _logger = logger;
    }

    /// <summary>The session's checks, or null when the snapshot checks nothing before DATA.</summary>
    public static ClientReputation? For(ReputationChecks? checks, ILogger logger) =>
        checks is { ChecksClients: true } ? new ClientReputation(checks, logger) : null;

    public void Connect(SessionFacts session, ClientTrust trust, CancellationToken cancellationToken)
    {
        if (IsLookedUp(trust))
        {
            _address = AddressAsync(session, cancellationToken);
        }
    }

    public void Helo(SessionFacts session, ClientTrust trust, CancellationToken cancellationToken)
    {
        var name = session.HeloName ?? string.Empty;
        if (!IsLookedUp(trust))
        {
            return;
        }

        Observe(session);
        if (_helo?.Name != name)
        {
            _helo = (name, _checks.HeloAsync(session, _logger, cancellationToken));
        }
    }

    /// <summary>A new transaction: the sender's lookups start, the previous transaction's sum is forgotten.</summary>
    public void MailFrom(SessionFacts session, ClientTrust trust, Mailbox? from, CancellationToken cancellationToken)
    {
        _scores = null;
        if (!IsLookedUp(trust))
        {
            return;
        }

        // Sessions without HELO callbacks (a handler wrapped by another) still get their greeting judged.
        Helo(session, trust, cancellationToken);
        var domain = from is { IsAddressLiteral: false, IsBarePostmaster: false } ? from.Domain : string.Empty;
        if (_sender?.Domain != domain)
        {
            _sender = (domain, domain.Length == 0 ? Task.FromResult(ReputationPart.None) : _checks.SenderAsync(session.SessionId, domain, _logger, cancellationToken));
        }
    }

    /// <summary>The transaction's inputs, once every lookup has answered or run out of time.</summary>
    public Task<SessionScores> ScoresAsync(SessionFacts session, ClientTrust trust)
    {
        if (!IsLookedUp(trust))
        {
            return Task.FromResult(SessionScores.None);
        }

        Observe(session);
        return _scores ??= SumAsync();
    }

    /// <summary>
    /// Whether an allow list (a DNS list with a negative weight) lists the client or its sender: such a client is not
    /// greylisted. Waits for the lookups, each bounded by spam.lookup_timeout.
    /// </summary>
    public async ValueTask<bool> AllowListedAsync(SessionFacts session, ClientTrust trust) =>
        IsLookedUp(trust) && (await ScoresAsync(session, trust).ConfigureAwait(false)).Reasons.Any(r => r.Score < 0);

    /// <summary>The refusal for a recipient when the inputs before DATA reach spam.reject_score; null otherwise.</summary>
    public async ValueTask<Verdict?> RefusalAsync(SessionFacts session, ClientTrust trust)
    {
        var threshold = _checks.Policy.RejectScore;
        if (threshold <= 0 || !IsLookedUp(trust))
        {
            return null;
        }

        var scores = await ScoresAsync(session, trust).ConfigureAwait(false);
        if (scores.Sum < threshold)
        {
            return null;
        }

        ReputationLog.Refused(_logger, session.SessionId, session.ClientAddress, scores.Sum, threshold, scores.ReasonList);
        var reply = PipelineReplies.ClientBlocked(session.ClientAddress.ToString(), scores.Listings);
        return Verdict.Reject(reply, "client reputation " + scores.ReasonList);
    }

    /// <summary>Anonymous clients only: a trusted network's or an authenticated user's mail is the organisation's own or accountable.</summary>
    private static bool IsLookedUp(ClientTrust trust) => trust.Class == ClientClass.Anonymous;

    /// <summary>
    /// What the session has seen of the client so far, which grows during the dialogue: pipelining after HELO
    /// shows only at a later command, so each stage looks again and a new finding makes the sum be taken anew.
    /// </summary>
    private void Observe(SessionFacts session)
    {
        if (_pipelining is null && session.PipelinedWithoutOffer)
        {
            _pipelining = _checks.Pipelining(session, _logger);
            _scores = null;
        }
    }

    private async Task<ReputationPart> AddressAsync(SessionFacts session, CancellationToken cancellationToken)
    {
        var lists = _checks.AddressAsync(session.SessionId, session.ClientAddress, _logger, cancellationToken);
        var reverse = _checks.ReverseDnsAsync(session, _logger, cancellationToken);
        var parts = await Task.WhenAll(lists, reverse).ConfigureAwait(false);
        return new ReputationPart([.. parts[0].Reasons, .. parts[1].Reasons], parts[0].Listings);
    }

    private async Task<SessionScores> SumAsync()
    {
        var parts = new List<ReputationPart>(4);
        if (_pipelining is { } pipelining)
        {
            parts.Add(pipelining);
        }

        foreach (var part in (Task<ReputationPart>?[])[_address, _helo?.Part, _sender?.Part])
        {
            if (part is not null)
            {
                parts.Add(await part.ConfigureAwait(false));
            }
        }

        // A domain on one list as both HELO and sender is one piece of evidence: each list counts once.
        var reasons = parts.SelectMany(p => p.Reasons).DistinctBy(r => r.Name).ToList();
        var listings = parts.SelectMany(p => p.Listings).Distinct(StringComparer.Ordinal).ToList();
        return new SessionScores(reasons, listings);
    }
}
