using System.Net;
using Gateway.Abstractions;
using Gateway.Authentication.PublicSuffix;
using Gateway.Policy;
using Gateway.Spam.Reputation;
using Gateway.Spam.Scoring;
using Gateway.Syntax;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>
/// The DNS lists and client checks of one policy snapshot, over the host's shared list client (its cache outlives a
/// reload). Each method looks something up, logs every hit and every skipped zone, and returns the named points;
/// what the points mean (a tag, a refusal) is decided by the caller.
/// </summary>
public sealed class ReputationChecks
{
    /// <summary>Link domains looked up per message: every domain of a real message, bounded for a hostile one.</summary>
    internal const int MaxUriDomains = 20;

    // Underscores occur in real host names; U-labels are looked up as A-labels (RFC 5782 has no rule, lists hold A-labels).
    private const DomainNameOptions LookupNames = DomainNameOptions.AllowUnderscore | DomainNameOptions.AllowUnicode | DomainNameOptions.RequireMultipleLabels;

    private readonly DnsListClient _lists;
    private readonly ReverseDnsCheck _reverseDns;
    private readonly PublicSuffixList _suffixes;

    public ReputationChecks(GatewayPolicy policy, DnsListClient lists, ReverseDnsCheck reverseDns, PublicSuffixList suffixes)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(reverseDns);
        ArgumentNullException.ThrowIfNull(suffixes);
        Policy = policy.Spam;
        _lists = lists;
        _reverseDns = reverseDns;
        _suffixes = suffixes;
        OurNames = [policy.HostName, .. policy.Domains];
        AddressLists = [.. Policy.AddressLists.Select(Definition)];
        HeloLists = [.. Policy.DomainLists.Where(l => l.Check.HasFlag(DomainListSubjects.Helo)).Select(Definition)];
        SenderLists = [.. Policy.DomainLists.Where(l => l.Check.HasFlag(DomainListSubjects.Sender)).Select(Definition)];
        UriLists = [.. Policy.UriLists.Select(Definition)];
    }

    public SpamPolicy Policy { get; }

    /// <summary>Whether anything of a session is looked up or checked before DATA.</summary>
    public bool ChecksClients => Policy.ChecksClients;

    internal IReadOnlyList<string> OurNames { get; }

    internal IReadOnlyList<DnsListDefinition> AddressLists { get; }

    internal IReadOnlyList<DnsListDefinition> HeloLists { get; }

    internal IReadOnlyList<DnsListDefinition> SenderLists { get; }

    internal IReadOnlyList<DnsListDefinition> UriLists { get; }

    private TimeSpan Timeout => Policy.LookupTimeout;

    /// <summary>The client's address against the address lists.</summary>
    internal async Task<ReputationPart> AddressAsync(string sessionId, IPAddress client, ILogger logger, CancellationToken cancellationToken)
    {
        if (AddressLists.Count == 0)
        {
            return ReputationPart.None;
        }

        var results = await Task.WhenAll(AddressLists.Select(l => _lists.CheckAddressAsync(l, client, Timeout, cancellationToken))).ConfigureAwait(false);
        return Collect(sessionId, results.Select(r => (DnsListResult?)r), logger);
    }

    /// <summary>Forward-confirmed reverse DNS, when it scores.</summary>
    internal async Task<ReputationPart> ReverseDnsAsync(SessionFacts session, ILogger logger, CancellationToken cancellationToken)
    {
        var score = Policy.ClientChecks.NoFcrdns;
        if (score == 0)
        {
            return ReputationPart.None;
        }

        var result = await _reverseDns.CheckAsync(session.ClientAddress, Timeout, cancellationToken).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case ReverseDnsOutcome.NotConfirmed:
                ReputationLog.ClientCheck(logger, session.SessionId, session.ClientAddress, session.HeloName ?? string.Empty, "NO_FCRDNS", score);
                return new ReputationPart([new SpamReason("NO_FCRDNS", score)], []);
            case ReverseDnsOutcome.Failed:
                ReputationLog.ReverseDnsFailed(logger, session.ClientAddress, session.SessionId, result.Status);
                return ReputationPart.None;
            default:
                return ReputationPart.None;
        }
    }

    /// <summary>The HELO findings (no lookup) and the HELO name against the domain lists that check it.</summary>
    internal async Task<ReputationPart> HeloAsync(SessionFacts session, ILogger logger, CancellationToken cancellationToken)
    {
        var checks = Policy.ClientChecks;
        var reasons = new List<SpamReason>();
        var findings = HeloCheck.Evaluate(session.HeloName, session.ClientAddress, session.LocalEndPoint.Address, OurNames);
        foreach (var (finding, name, score) in (ReadOnlySpan<(HeloFindings, string, double)>)
            [(HeloFindings.Invalid, "HELO_INVALID", checks.HeloInvalid), (HeloFindings.IsOurs, "HELO_IS_OURS", checks.HeloIsOurs), (HeloFindings.LiteralMismatch, "HELO_LITERAL_MISMATCH", checks.HeloLiteralMismatch)])
        {
            if (findings.HasFlag(finding) && score != 0)
            {
                ReputationLog.ClientCheck(logger, session.SessionId, session.ClientAddress, session.HeloName ?? string.Empty, name, score);
                reasons.Add(new SpamReason(name, score));
            }
        }

        var lists = await DomainAsync(session.SessionId, session.HeloName, HeloLists, logger, cancellationToken).ConfigureAwait(false);
        return new ReputationPart([.. reasons, .. lists.Reasons], lists.Listings);
    }

    /// <summary>Commands sent before PIPELINING was offered (no lookup), when it scores.</summary>
    internal ReputationPart Pipelining(SessionFacts session, ILogger logger)
    {
        var score = Policy.ClientChecks.Pipelining;
        if (score == 0 || !session.PipelinedWithoutOffer)
        {
            return ReputationPart.None;
        }

        ReputationLog.ClientCheck(logger, session.SessionId, session.ClientAddress, session.HeloName ?? string.Empty, "PIPELINING_EARLY", score);
        return new ReputationPart([new SpamReason("PIPELINING_EARLY", score)], []);
    }

    /// <summary>The MAIL FROM domain against the domain lists that check it.</summary>
    internal Task<ReputationPart> SenderAsync(string sessionId, string domain, ILogger logger, CancellationToken cancellationToken) =>
        DomainAsync(sessionId, domain, SenderLists, logger, cancellationToken);

    /// <summary>
    /// The registrable domains of a message's link hosts (the first <see cref="MaxUriDomains"/> distinct ones; address
    /// hosts are not looked up) against the URI lists. SURBL and URIBL list registrable domains, so
    /// "a.b.spam.example" is asked as "spam.example".
    /// </summary>
    internal async Task<IReadOnlyList<SpamReason>> UriAsync(string sessionId, IReadOnlyList<string> hosts, ILogger logger, CancellationToken cancellationToken)
    {
        if (UriLists.Count == 0)
        {
            return [];
        }

        var domains = new List<string>(MaxUriDomains);
        foreach (var host in hosts)
        {
            if (DomainName.TryCanonicalize(host, LookupNames, out var name) == DomainNameError.None
                && _suffixes.TryGetOrganizationalDomain(name, out var registrable)
                && !_suffixes.IsPublicSuffix(registrable)
                && !domains.Contains(registrable, StringComparer.Ordinal))
            {
                domains.Add(registrable);
                if (domains.Count == MaxUriDomains)
                {
                    break;
                }
            }
        }

        var lookups = UriLists.SelectMany(list => domains.Select(d => _lists.CheckDomainAsync(list, d, Timeout, cancellationToken)));
        var results = await Task.WhenAll(lookups).ConfigureAwait(false);
        return Collect(sessionId, results, logger).Reasons;
    }

    /// <summary>A domain and, when it differs, its registrable domain (lists hold "spam.example", mail comes from "x1.spam.example").</summary>
    private async Task<ReputationPart> DomainAsync(string sessionId, string? domain, IReadOnlyList<DnsListDefinition> lists, ILogger logger, CancellationToken cancellationToken)
    {
        if (lists.Count == 0 || domain is null || DomainName.TryCanonicalize(domain, LookupNames, out var name) != DomainNameError.None)
        {
            return ReputationPart.None;
        }

        List<string> subjects = [name];
        if (_suffixes.TryGetOrganizationalDomain(name, out var registrable) && registrable != name && !_suffixes.IsPublicSuffix(registrable))
        {
            subjects.Add(registrable);
        }

        var results = await Task.WhenAll(lists.SelectMany(list => subjects.Select(s => _lists.CheckDomainAsync(list, s, Timeout, cancellationToken)))).ConfigureAwait(false);
        return Collect(sessionId, results, logger);
    }

    /// <summary>One reason per list that hit, however many of its subjects did; every hit and every failure logged.</summary>
    private static ReputationPart Collect(string sessionId, IEnumerable<DnsListResult?> results, ILogger logger)
    {
        var reasons = new List<SpamReason>();
        var listings = new List<string>();
        foreach (var result in results)
        {
            switch (result?.Outcome)
            {
                case DnsListOutcome.Listed:
                    var list = result.List;
                    ReputationLog.Listed(logger, sessionId, result.Subject, list.Zone, result.CodeText, list.Name, list.Weight);
                    if (!reasons.Any(r => r.Name == list.Name))
                    {
                        reasons.Add(new SpamReason(list.Name, list.Weight));
                        if (list.Weight > 0)
                        {
                            listings.Add(list.Zone);
                        }
                    }

                    break;
                case DnsListOutcome.Failed:
                    ReputationLog.ListFailed(logger, result.List.Zone, sessionId, result.Subject, result.QueryName, result.Status);
                    break;
                case DnsListOutcome.InvalidAnswer:
                    ReputationLog.InvalidAnswer(logger, result.List.Zone, result.CodeText, result.QueryName, sessionId);
                    break;
            }
        }

        return new ReputationPart(reasons, listings);
    }

    private static DnsListDefinition Definition(DnsListPolicy list) =>
        new(list.Name, list.Zone, list.Weight, new DnsListCodes { Codes = list.Codes, Mask = list.Mask });
}
