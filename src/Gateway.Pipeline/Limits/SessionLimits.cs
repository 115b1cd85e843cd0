using System.Net;
using Gateway.Abstractions;
using Gateway.Authentication.Spf;
using Gateway.Policy;
using Gateway.Policy.Validation;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Limits;

/// <summary>
/// The rate limits and greylisting of one policy snapshot, over the process's <see cref="LimitsState"/>: the
/// <see cref="Session.PolicySessionHandler"/> asks it at connect (connections, 421 4.7.0 and close), at MAIL FROM
/// (messages, 450 4.7.1; counted per MAIL, as Postfix's anvil does, so a transaction that never reaches DATA still
/// counts) and at RCPT (recipients, 452 4.5.3; every RCPT counts, refused ones too, which also slows address
/// harvesting) and, for an inbound recipient that passed the other checks, the greylist (450 4.7.1).
/// </summary>
public sealed class SessionLimits
{
    private readonly RateLimitsPolicy _rates;
    private readonly GreylistingPolicy _greylisting;
    private readonly string _hostName;
    private readonly LimitsState _state;
    private readonly ILogger _logger;

    public SessionLimits(GatewayPolicy policy, LimitsState state, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(logger);
        _rates = policy.RateLimits;
        _greylisting = policy.Greylisting;
        _hostName = policy.HostName;
        _state = state;
        _logger = logger;

        // The bounds of the shared state follow the policy in force (the last snapshot built).
        state.Rates.MaxKeys = _rates.MaxTracked;
        state.Greylist.MaxEntries = _greylisting.MaxEntries;
    }

    /// <summary>Null when the policy neither limits rates nor greylists: the handler then has nothing to ask.</summary>
    public static SessionLimits? Create(GatewayPolicy policy, LimitsState? state, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return state is not null && (policy.RateLimits.Enabled || policy.Greylisting.Enabled) ? new SessionLimits(policy, state, logger) : null;
    }

    /// <summary>Connections per client and network (the user is not known yet; trusted networks are exempt unless apply_to_trusted).</summary>
    public Verdict OnConnect(SessionFacts session, ClientTrust trust)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(trust);
        if (!_rates.Enabled || Exempt(trust))
        {
            return Verdict.Continue;
        }

        var requests = ClientRequests(session.ClientAddress, LimitMeasures.Connections, s => s.Connections);
        return Take(session, requests, scope => Verdict.Disconnect(LimitsReplies.TooManyConnections(_hostName, scope), "rate limit: connections per " + scope));
    }

    /// <summary>Messages per client, network, sender and authenticated user.</summary>
    public Verdict OnMailFrom(SessionFacts session, ClientTrust trust, Mailbox? from)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(trust);
        return Transaction(session, trust, from, LimitMeasures.Messages, s => s.Messages, scope => Verdict.Reject(LimitsReplies.TooManyMessages(scope), "rate limit: messages per " + scope));
    }

    /// <summary>Recipients per client, network, sender and authenticated user.</summary>
    public Verdict OnRecipient(SessionFacts session, ClientTrust trust, Mailbox? from)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(trust);
        return Transaction(session, trust, from, LimitMeasures.Recipients, s => s.Recipients, scope => Verdict.Reject(LimitsReplies.TooManyRecipients(scope), "rate limit: recipients per " + scope));
    }

    /// <summary>
    /// The greylist for one inbound recipient of an anonymous client. Skipped for the allow lists (the policy's, and a
    /// DNS allow list: <c>allowListed</c>, spam.dnsbl or domain_lists entries with a negative weight, asked only when
    /// the greylist would otherwise answer, as it waits for the lookups started at connect), for a network that passed
    /// a retry before, and for a client whose SPF passes for the MAIL FROM domain (<paramref name="spf"/>, started at
    /// MAIL FROM, is awaited only when the greylist would otherwise defer).
    /// </summary>
    public async ValueTask<Verdict> GreylistAsync(
        SessionFacts session,
        ClientTrust trust,
        Mailbox? from,
        Mailbox recipient,
        Task<SpfCheck>? spf,
        CancellationToken cancellationToken,
        Func<ValueTask<bool>>? allowListed = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(recipient);
        var settings = _greylisting;
        if (!settings.Enabled)
        {
            return Verdict.Continue;
        }

        var client = ClientNetworks.Normalize(session.ClientAddress);
        if (trust.Class != ClientClass.Anonymous)
        {
            LimitsLog.GreylistNotApplied(_logger, session.SessionId, client, trust.Name);
            return Verdict.Continue;
        }

        var sender = from?.ToString() ?? string.Empty;
        var recipientText = recipient.ToString();
        if (settings.AllowsNetwork(client))
        {
            return Skip(session, client, sender, recipientText, "allow_list", "client in greylisting.allow.networks");
        }

        if (from is not null && settings.AllowsSenderDomain(from.Domain))
        {
            return Skip(session, client, sender, recipientText, "allow_list", $"sender domain {from.Domain} in greylisting.allow.sender_domains");
        }

        var network = ClientNetworks.Of(client, settings.Ipv4Prefix, settings.Ipv6Prefix);
        var greylist = _state.Greylist;
        if (greylist.IsAllowed(network, settings.AutoAllow))
        {
            return Skip(session, client, sender, recipientText, "allowed", $"network {network} passed a retry before");
        }

        if (allowListed is not null && await allowListed().ConfigureAwait(false))
        {
            return Skip(session, client, sender, recipientText, "allow_list", "client or sender on a DNS allow list");
        }

        if (from is not null && await SpfPassesAsync(spf, from, cancellationToken).ConfigureAwait(false))
        {
            return Skip(session, client, sender, recipientText, "spf_pass", $"SPF pass for {from.Domain}");
        }

        var result = greylist.Attempt(network, sender, recipientText, settings);
        var (decision, verdict) = result.Outcome switch
        {
            GreylistOutcome.Passed => ("passed", Verdict.Continue),
            GreylistOutcome.TooEarly => ("too_early", Verdict.Reject(LimitsReplies.Greylisted(result.Time), "greylisted: retried too early")),
            _ => ("deferred", Verdict.Reject(LimitsReplies.Greylisted(result.Time), "greylisted: first attempt")),
        };
        _state.Metrics?.Greylisting(decision);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var time = DurationParser.Describe(Whole(result.Time));
            var networkText = network.ToString();
            if (result.Outcome == GreylistOutcome.Passed)
            {
                LimitsLog.GreylistPassed(_logger, session.SessionId, client, networkText, sender, recipientText, time, result.AllowedUntil);
            }
            else
            {
                var reason = result.Outcome == GreylistOutcome.TooEarly ? "retried too early" : "first attempt";
                LimitsLog.Greylisted(_logger, session.SessionId, client, networkText, sender, recipientText, reason, time);
            }
        }

        return verdict;
    }

    private bool Exempt(ClientTrust trust) => !_rates.ApplyToTrusted && trust.Class != ClientClass.Anonymous;

    private Verdict Transaction(SessionFacts session, ClientTrust trust, Mailbox? from, string measure, Func<RateLimitSet, int?> limitOf, Func<string, Verdict> refusal)
    {
        if (!_rates.Enabled)
        {
            return Verdict.Continue;
        }

        var requests = new List<RateLimitRequest>(4);
        if (!Exempt(trust))
        {
            requests.AddRange(ClientRequests(session.ClientAddress, measure, limitOf));

            // The null sender (bounces) is not one sender: it is not counted as one.
            if (from is not null && limitOf(_rates.PerSender) is { } perSender)
            {
                requests.Add(new RateLimitRequest(LimitScopes.Sender, measure, from.ToString().ToLowerInvariant(), perSender, _rates.PerSender.Window));
            }
        }

        // The point of a per-user limit is the authenticated user (a stolen password), so it never exempts them.
        if (trust.User is { } user && limitOf(_rates.PerUser) is { } perUser)
        {
            requests.Add(new RateLimitRequest(LimitScopes.User, measure, user, perUser, _rates.PerUser.Window));
        }

        return Take(session, requests, refusal);
    }

    private List<RateLimitRequest> ClientRequests(IPAddress address, string measure, Func<RateLimitSet, int?> limitOf)
    {
        var requests = new List<RateLimitRequest>(2);
        var client = ClientNetworks.Normalize(address);
        if (limitOf(_rates.PerClient) is { } perClient)
        {
            requests.Add(new RateLimitRequest(LimitScopes.Client, measure, client.ToString(), perClient, _rates.PerClient.Window));
        }

        if (limitOf(_rates.PerNetwork) is { } perNetwork)
        {
            var network = ClientNetworks.Of(client, _rates.Ipv4Prefix, _rates.Ipv6Prefix);
            requests.Add(new RateLimitRequest(LimitScopes.Network, measure, network.ToString(), perNetwork, _rates.PerNetwork.Window));
        }

        return requests;
    }

    private Verdict Take(SessionFacts session, List<RateLimitRequest> requests, Func<string, Verdict> refusal)
    {
        if (requests.Count == 0)
        {
            return Verdict.Continue;
        }

        var rates = _state.Rates;
        var evicted = rates.Evicted;
        var over = rates.TryTake(requests);
        if (rates.Evicted != evicted)
        {
            LimitsLog.RateLimiterFull(_logger, rates.MaxKeys, rates.Evicted);
        }

        if (over < 0)
        {
            return Verdict.Continue;
        }

        var hit = requests[over];
        var verdict = refusal(hit.Scope);
        _state.Metrics?.RateLimited(hit.Scope, hit.Measure);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var client = ClientNetworks.Normalize(session.ClientAddress);
            var window = DurationParser.Describe(hit.Window);
            LimitsLog.RateLimited(_logger, session.SessionId, client, hit.Limit, hit.Measure, window, hit.Scope, hit.Subject, verdict.Reply!);
        }
        return verdict;
    }

    private Verdict Skip(SessionFacts session, IPAddress client, string sender, string recipient, string decision, string reason)
    {
        _state.Metrics?.Greylisting(decision);
        LimitsLog.GreylistSkipped(_logger, session.SessionId, client, sender, recipient, reason);
        return Verdict.Continue;
    }

    /// <summary>SPF's result for the MAIL FROM identity and domain (not the HELO's); a lookup that failed is no pass.</summary>
    private static async ValueTask<bool> SpfPassesAsync(Task<SpfCheck>? spf, Mailbox from, CancellationToken cancellationToken)
    {
        if (spf is null || from.IsBarePostmaster)
        {
            return false;
        }

        SpfCheck check;
        try
        {
            check = await spf.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        return check.Result == SpfResult.Pass
            && check.Identity == SpfCheck.MailFromIdentity
            && string.Equals(check.Domain, from.Domain, StringComparison.OrdinalIgnoreCase);
    }

    private static TimeSpan Whole(TimeSpan time) => TimeSpan.FromSeconds(Math.Max(0, Math.Round(time.TotalSeconds)));
}
