using Gateway.Abstractions;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.PublicSuffix;
using Gateway.Authentication.Spf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Authentication.Dmarc;

/// <summary>
/// DMARC policy discovery and evaluation (RFC 7489 6.6.2 to 6.6.4, DMARCbis np). Never throws for bad input or
/// DNS outcomes: SERVFAIL and timeouts give <see cref="DmarcResult.TempError"/>, unusable records
/// <see cref="DmarcResult.PermError"/>; only cancellation escapes. Thread-safe when the random source is
/// (the default, <see cref="Random.Shared"/>, is).
/// </summary>
public sealed class DmarcEvaluator
{
    private readonly IDnsResolver _dns;
    private readonly PublicSuffixList _publicSuffixes;
    private readonly Random _random;
    private readonly ILogger _logger;

    /// <param name="dns">The resolver for _dmarc TXT records.</param>
    /// <param name="publicSuffixes">The list giving Organizational Domains.</param>
    /// <param name="random">The pct= sampling source; tests pass a seeded or fake one.</param>
    /// <param name="logger">Optional logger.</param>
    public DmarcEvaluator(IDnsResolver dns, PublicSuffixList publicSuffixes, Random? random = null, ILogger<DmarcEvaluator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(publicSuffixes);
        _dns = dns;
        _publicSuffixes = publicSuffixes;
        _random = random ?? Random.Shared;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public async ValueTask<DmarcEvaluation> EvaluateAsync(DmarcInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var author = input.Author;
        if (!author.IsValid || !_publicSuffixes.TryGetOrganizationalDomain(author.Domain, out var organizational))
        {
            // RFC 7489 6.6.1: no single Author Domain, so nothing can be authenticated; such messages are
            // "typically rejected" (RFC 5322 requires exactly one From with, here, one mailbox).
            var problem = author.IsValid ? DmarcAuthorProblem.InvalidDomain : author.Problem;
            DmarcLog.AuthorProblem(_logger, problem);
            return new DmarcEvaluation
            {
                Result = DmarcResult.PermError,
                Reason = "from: " + Describe(problem),
                Author = author.IsValid ? author with { Domain = null, Problem = problem } : author,
                Disposition = DmarcPolicy.Reject,
            };
        }

        var fromDomain = author.Domain!;

        // RFC 7489 6.6.3 steps 1-5: the Author Domain's record, else the Organizational Domain's.
        var lookup = await DiscoverAsync(fromDomain, ct).ConfigureAwait(false);
        var policyDomain = fromDomain;
        if (lookup.Kind == LookupKind.Empty && !string.Equals(organizational, fromDomain, StringComparison.Ordinal))
        {
            lookup = await DiscoverAsync(organizational, ct).ConfigureAwait(false);
            policyDomain = organizational;
        }

        var evaluation = new DmarcEvaluation
        {
            Result = DmarcResult.None,
            Author = author,
            OrganizationalDomain = organizational,
        };

        switch (lookup.Kind)
        {
            case LookupKind.TempError:
                DmarcLog.DiscoveryTempError(_logger, policyDomain);
                return evaluation with { Result = DmarcResult.TempError, Reason = "dns error looking up _dmarc." + policyDomain, PolicyDomain = policyDomain };
            case LookupKind.Empty:
                return evaluation with { Reason = "no policy" };
            case LookupKind.Multiple:
                // RFC 7489 6.6.3 step 5: several records means no DMARC processing.
                return evaluation with { Reason = "multiple records at _dmarc." + policyDomain, PolicyDomain = policyDomain };
        }

        if (!DmarcRecord.TryParse(lookup.Text!, out var record, out var error))
        {
            DmarcLog.InvalidRecord(_logger, policyDomain, error);
            return evaluation with { Result = DmarcResult.PermError, Reason = "invalid record: " + error, PolicyDomain = policyDomain };
        }

        // RFC 7489 3.1.2 and 4.1: SPF aligns only through RFC5321.MailFrom; a HELO result never does.
        var spfAligned = input.Spf == SpfResult.Pass
            && input.SpfScope == DmarcSpfScope.MailFrom
            && Aligns(input.SpfDomain, fromDomain, organizational, record.SpfAlignment);

        // RFC 7489 3.1.1: any passing signature whose d= aligns is enough.
        string? dkimAligned = null;
        foreach (var signature in input.Dkim)
        {
            if (signature.Result == DkimResult.Pass && Aligns(signature.Domain, fromDomain, organizational, record.DkimAlignment))
            {
                ObservedDomain.TryNormalize(signature.Domain, out var normalizedSignatureDomain);
                dkimAligned = normalizedSignatureDomain;
                break;
            }
        }

        var pass = spfAligned || dkimAligned is not null;
        var (policy, source) = await SelectPolicyAsync(record, fromDomain, policyDomain, pass, ct).ConfigureAwait(false);
        evaluation = evaluation with
        {
            Result = pass ? DmarcResult.Pass : DmarcResult.Fail,
            PolicyDomain = policyDomain,
            Record = record,
            Policy = policy,
            PolicySource = source,
            SpfAligned = spfAligned,
            DkimAlignedDomain = dkimAligned,
            Disposition = DmarcPolicy.None,
        };

        if (pass)
        {
            return evaluation;
        }

        // RFC 7489 6.6.4: a message outside the pct sample gets the next less strict policy.
        if (record.Percent < 100 && policy != DmarcPolicy.None && _random.Next(100) >= record.Percent)
        {
            return evaluation with
            {
                Reason = "not aligned",
                Disposition = policy == DmarcPolicy.Reject ? DmarcPolicy.Quarantine : DmarcPolicy.None,
                Override = DmarcPolicyOverride.SampledOut,
            };
        }

        return evaluation with { Reason = "not aligned", Disposition = policy };
    }

    /// <summary>
    /// RFC 7489 3.1: strict alignment needs identical domains, relaxed alignment equal Organizational Domains.
    /// </summary>
    internal bool Aligns(string? domain, string fromDomain, string fromOrganizational, DmarcAlignmentMode mode)
    {
        if (domain is null || !ObservedDomain.TryNormalize(domain, out var normalized))
        {
            return false;
        }

        if (string.Equals(normalized, fromDomain, StringComparison.Ordinal))
        {
            return true;
        }

        return mode == DmarcAlignmentMode.Relaxed
            && _publicSuffixes.TryGetOrganizationalDomain(normalized, out var organizational)
            && string.Equals(organizational, fromOrganizational, StringComparison.Ordinal);
    }

    private async ValueTask<(DmarcPolicy Policy, DmarcPolicySource Source)> SelectPolicyAsync(
        DmarcRecord record, string fromDomain, string policyDomain, bool pass, CancellationToken ct)
    {
        if (string.Equals(fromDomain, policyDomain, StringComparison.Ordinal))
        {
            return (record.Policy, DmarcPolicySource.Domain);
        }

        // DMARCbis np: only worth a lookup when it could change a failing message's outcome. A name that does not
        // exist answers NXDOMAIN for every type (RFC 8020), so the TXT question tells.
        if (!pass && record.NonExistentSubdomainPolicy is { } nonExistent)
        {
            var answer = await _dns.GetTxtAsync(fromDomain, ct).ConfigureAwait(false);
            if (answer.Status == DnsStatus.NxDomain)
            {
                return (nonExistent, DmarcPolicySource.NonExistentSubdomain);
            }
        }

        return (record.SubdomainPolicy ?? record.Policy, DmarcPolicySource.Subdomain);
    }

    private async ValueTask<Lookup> DiscoverAsync(string domain, CancellationToken ct)
    {
        var answer = await _dns.GetTxtAsync("_dmarc." + domain, ct).ConfigureAwait(false);
        switch (answer.Status)
        {
            case DnsStatus.ServerFailure or DnsStatus.Timeout:
                return new Lookup(LookupKind.TempError, null);
            case not DnsStatus.Ok:
                return new Lookup(LookupKind.Empty, null);
        }

        string? found = null;
        foreach (var text in answer.Records)
        {
            // RFC 7489 6.6.3 steps 2 and 4: records not starting with v=DMARC1 are discarded before counting.
            if (!DmarcRecord.IsDmarcRecord(text))
            {
                continue;
            }

            if (found is not null)
            {
                return new Lookup(LookupKind.Multiple, null);
            }

            found = text;
        }

        return found is null ? new Lookup(LookupKind.Empty, null) : new Lookup(LookupKind.Found, found);
    }

    private static string Describe(DmarcAuthorProblem problem) => problem switch
    {
        DmarcAuthorProblem.NoFromField => "no From field",
        DmarcAuthorProblem.MultipleFromFields => "multiple From fields",
        DmarcAuthorProblem.NoAddress => "no address",
        DmarcAuthorProblem.MultipleAddresses => "multiple addresses",
        DmarcAuthorProblem.GroupSyntax => "group syntax",
        DmarcAuthorProblem.InvalidSyntax => "invalid syntax",
        _ => "invalid domain",
    };

    private enum LookupKind
    {
        Empty,
        Found,
        Multiple,
        TempError,
    }

    private readonly record struct Lookup(LookupKind Kind, string? Text);
}
