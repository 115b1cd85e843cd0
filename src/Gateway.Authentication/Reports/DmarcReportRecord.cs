using System.Net;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.Spf;

namespace Gateway.Authentication.Reports;

/// <summary>
/// One DMARC evaluation as kept for aggregate reports (RFC 7489 7.2, Appendix C "record"): stored as one JSON
/// line by <see cref="DmarcReportStore"/>, grouped into rows by <see cref="DmarcAggregateReportBuilder"/>.
/// </summary>
public sealed record DmarcReportRecord
{
    /// <summary>When the message was evaluated.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The connecting client's IP address (source_ip).</summary>
    public required string SourceIp { get; init; }

    /// <summary>The RFC5322.From domain (header_from).</summary>
    public required string HeaderFrom { get; init; }

    /// <summary>The RFC5321.MailFrom domain (envelope_from); null for the null reverse-path.</summary>
    public string? EnvelopeFrom { get; init; }

    /// <summary>The recipient domain (envelope_to), when the caller records it.</summary>
    public string? EnvelopeTo { get; init; }

    /// <summary>The domain whose record was applied: reports are grouped by it.</summary>
    public required string PolicyDomain { get; init; }

    /// <summary>The disposition applied (policy_evaluated/disposition).</summary>
    public required DmarcPolicy Disposition { get; init; }

    /// <summary>policy_evaluated/dkim: whether an aligned DKIM signature passed.</summary>
    public required bool DkimAligned { get; init; }

    /// <summary>policy_evaluated/spf: whether aligned SPF passed.</summary>
    public required bool SpfAligned { get; init; }

    /// <summary>policy_evaluated/reason: overrides applied.</summary>
    public IReadOnlyList<DmarcReportOverride> Overrides { get; init; } = [];

    /// <summary>auth_results/dkim: every signature, aligned or not.</summary>
    public IReadOnlyList<DmarcReportDkim> Dkim { get; init; } = [];

    /// <summary>auth_results/spf.</summary>
    public IReadOnlyList<DmarcReportSpf> Spf { get; init; } = [];

    /// <summary>The record as published when the message was evaluated.</summary>
    public required DmarcReportPolicy PolicyPublished { get; init; }

    /// <summary>The rua URIs as published (unverified; checked when the report is built).</summary>
    public IReadOnlyList<string> AggregateReportUris { get; init; } = [];

    /// <summary>
    /// The report record for one evaluation, or null when there is nothing to report: no usable record, or a
    /// record without rua (RFC 7489 7.2: reports go only to domains that ask for them).
    /// </summary>
    /// <param name="evaluation">The evaluation (after the policy layer's overrides).</param>
    /// <param name="input">What was evaluated (the raw SPF and DKIM results are reported too).</param>
    /// <param name="sourceIp">The connecting client.</param>
    /// <param name="envelopeFromDomain">The MAIL FROM domain; null for the null reverse-path.</param>
    /// <param name="time">When the message was evaluated.</param>
    /// <param name="envelopeToDomain">The recipient domain, if it should be reported.</param>
    public static DmarcReportRecord? FromEvaluation(
        DmarcEvaluation evaluation, DmarcInput input, IPAddress sourceIp, string? envelopeFromDomain, DateTimeOffset time, string? envelopeToDomain = null)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(sourceIp);
        if (evaluation.Record is not { } record || evaluation.PolicyDomain is not { } policyDomain || evaluation.HeaderFrom is not { } headerFrom
            || record.AggregateReportUris.Count == 0)
        {
            return null;
        }

        var dkim = new DmarcReportDkim[input.Dkim.Count];
        for (var i = 0; i < dkim.Length; i++)
        {
            var signature = input.Dkim[i];
            dkim[i] = new DmarcReportDkim(signature.Domain, signature.Selector, signature.Result);
        }

        var rua = new string[record.AggregateReportUris.Count];
        for (var i = 0; i < rua.Length; i++)
        {
            var uri = record.AggregateReportUris[i];
            rua[i] = uri.MaxSize is { } size ? $"{uri.Uri}!{size}" : uri.Uri;
        }

        return new DmarcReportRecord
        {
            Time = time,
            SourceIp = (sourceIp.IsIPv4MappedToIPv6 ? sourceIp.MapToIPv4() : sourceIp).ToString(),
            HeaderFrom = headerFrom,
            EnvelopeFrom = envelopeFromDomain,
            EnvelopeTo = envelopeToDomain,
            PolicyDomain = policyDomain,
            Disposition = evaluation.Disposition,
            DkimAligned = evaluation.DkimAligned,
            SpfAligned = evaluation.SpfAligned,
            Overrides = evaluation.Override is { } type ? [new DmarcReportOverride(type, evaluation.OverrideComment)] : [],
            Dkim = dkim,
            Spf = [new DmarcReportSpf(input.SpfDomain ?? string.Empty, input.SpfScope, input.Spf)],
            PolicyPublished = new DmarcReportPolicy(
                policyDomain, record.DkimAlignment, record.SpfAlignment, record.Policy, record.SubdomainPolicy,
                record.NonExistentSubdomainPolicy, record.Percent, record.FailureOptions),
            AggregateReportUris = rua,
        };
    }
}

/// <summary>One policy override (RFC 7489 Appendix C PolicyOverrideReason).</summary>
public sealed record DmarcReportOverride(DmarcPolicyOverride Type, string? Comment);

/// <summary>One DKIM result (RFC 7489 Appendix C DKIMAuthResultType).</summary>
public sealed record DmarcReportDkim(string Domain, string? Selector, DkimResult Result);

/// <summary>One SPF result (RFC 7489 Appendix C SPFAuthResultType).</summary>
public sealed record DmarcReportSpf(string Domain, DmarcSpfScope Scope, SpfResult Result);

/// <summary>The published policy (RFC 7489 Appendix C PolicyPublishedType, plus DMARCbis np).</summary>
public sealed record DmarcReportPolicy(
    string Domain, DmarcAlignmentMode Adkim, DmarcAlignmentMode Aspf, DmarcPolicy P, DmarcPolicy? Sp, DmarcPolicy? Np, int Pct, string Fo);
