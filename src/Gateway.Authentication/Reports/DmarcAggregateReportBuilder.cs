using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Gateway.Abstractions;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.PublicSuffix;
using Gateway.Authentication.Results;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Authentication.Reports;

/// <summary>
/// Builds DMARC aggregate reports (RFC 7489 7.2, XML per Appendix C) from stored evaluations: one report per
/// policy domain that published rua=, rows grouped by identical source IP, disposition, alignment results,
/// identifiers and authentication results with a count. Destinations are checked as RFC 7489 7.1 requires:
/// a mailto: address outside the policy domain's Organizational Domain is used only when
/// "&lt;policy-domain&gt;._report._dmarc.&lt;destination-domain&gt;" publishes a v=DMARC1 TXT record.
/// </summary>
public sealed class DmarcAggregateReportBuilder
{
    private readonly DmarcReportOptions _options;
    private readonly IDnsResolver _dns;
    private readonly PublicSuffixList _publicSuffixes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public DmarcAggregateReportBuilder(
        DmarcReportOptions options, IDnsResolver dns, PublicSuffixList publicSuffixes, TimeProvider time, ILogger<DmarcAggregateReportBuilder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(publicSuffixes);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _dns = dns;
        _publicSuffixes = publicSuffixes;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// The last complete reporting period before now: periods of <paramref name="interval"/> aligned on the Unix
    /// epoch, so a one-day interval runs from UTC midnight to UTC midnight (RFC 7489 7.2.1.1 begins and ends
    /// reports on hour boundaries).
    /// </summary>
    public (DateTimeOffset Begin, DateTimeOffset End) GetLastCompletePeriod(TimeSpan interval)
    {
        if (interval < TimeSpan.FromHours(1) || interval.Ticks % TimeSpan.TicksPerHour != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), "The interval must be a whole number of hours.");
        }

        var now = _time.GetUtcNow();
        var endTicks = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / interval.Ticks * interval.Ticks;
        var end = DateTimeOffset.UnixEpoch.AddTicks(endTicks);
        return (end - interval, end);
    }

    /// <summary>Builds the reports for the records of [begin, end) (records outside are ignored).</summary>
    public async ValueTask<IReadOnlyList<DmarcAggregateReport>> BuildAsync(
        IAsyncEnumerable<DmarcReportRecord> records, DateTimeOffset begin, DateTimeOffset end, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(records);
        var domains = new SortedDictionary<string, DomainRows>(StringComparer.Ordinal);
        await foreach (var record in records.WithCancellation(ct).ConfigureAwait(false))
        {
            Add(domains, record, begin, end);
        }

        return await BuildReportsAsync(domains, begin, end, ct).ConfigureAwait(false);
    }

    /// <summary>Builds the reports for the records of [begin, end) from a list.</summary>
    public async ValueTask<IReadOnlyList<DmarcAggregateReport>> BuildAsync(
        IEnumerable<DmarcReportRecord> records, DateTimeOffset begin, DateTimeOffset end, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(records);
        var domains = new SortedDictionary<string, DomainRows>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            Add(domains, record, begin, end);
        }

        return await BuildReportsAsync(domains, begin, end, ct).ConfigureAwait(false);
    }

    private static void Add(SortedDictionary<string, DomainRows> domains, DmarcReportRecord record, DateTimeOffset begin, DateTimeOffset end)
    {
        if (record.Time < begin || record.Time >= end)
        {
            return;
        }

        var domain = record.PolicyDomain.ToLowerInvariant();
        if (!domains.TryGetValue(domain, out var rows))
        {
            rows = new DomainRows();
            domains[domain] = rows;
        }

        // The most recent evaluation tells what the domain publishes now.
        if (rows.Latest is null || record.Time >= rows.Latest.Time)
        {
            rows.Latest = record;
        }

        var key = RowKey(record);
        if (rows.Rows.TryGetValue(key, out var row))
        {
            row.Count++;
        }
        else
        {
            rows.Rows[key] = new Row(record, key);
        }

        rows.Messages++;
    }

    private async ValueTask<IReadOnlyList<DmarcAggregateReport>> BuildReportsAsync(
        SortedDictionary<string, DomainRows> domains, DateTimeOffset begin, DateTimeOffset end, CancellationToken ct)
    {
        var reports = new List<DmarcAggregateReport>(domains.Count);
        foreach (var (domain, rows) in domains)
        {
            var latest = rows.Latest!;
            var beginSeconds = begin.ToUnixTimeSeconds();
            var endSeconds = end.ToUnixTimeSeconds() - 1;
            var receiver = _options.ReceiverDomain;
            var reportId = string.Create(CultureInfo.InvariantCulture, $"{beginSeconds}.{domain}@{receiver}");
            var xml = BuildXml(domain, reportId, beginSeconds, endSeconds, latest.PolicyPublished, rows);
            var gzip = Compress(xml);
            var (recipients, skipped) = await VerifyDestinationsAsync(domain, latest.AggregateReportUris, gzip.Length, ct).ConfigureAwait(false);
            reports.Add(new DmarcAggregateReport
            {
                PolicyDomain = domain,
                ReportId = reportId,
                Begin = begin,
                End = end,
                MessageCount = rows.Messages,
                Recipients = recipients,
                Skipped = skipped,
                Subject = $"Report Domain: {domain} Submitter: {receiver} Report-ID: <{reportId}>",
                FileName = string.Create(CultureInfo.InvariantCulture, $"{receiver}!{domain}!{beginSeconds}!{endSeconds}.xml.gz"),
                Xml = xml,
                Gzip = gzip,
            });
        }

        return reports;
    }

    /// <summary>
    /// RFC 7489 7.1: keeps the mailto: destinations that may receive this domain's reports. DNS errors skip a
    /// destination this time only (the report is rebuilt next period).
    /// </summary>
    internal async ValueTask<(IReadOnlyList<DmarcReportDestination> Recipients, IReadOnlyList<DmarcSkippedDestination> Skipped)> VerifyDestinationsAsync(
        string policyDomain, IReadOnlyList<string> uris, long reportSize, CancellationToken ct)
    {
        var recipients = new List<DmarcReportDestination>();
        var skipped = new List<DmarcSkippedDestination>();
        _publicSuffixes.TryGetOrganizationalDomain(policyDomain, out var policyOrganizational);
        foreach (var text in uris)
        {
            string? reason = null;
            if (!DmarcReportUri.TryParse(text, out var uri) || uri is null)
            {
                reason = "invalid URI";
            }
            else if (!uri.IsMailto)
            {
                reason = "unsupported scheme";
            }
            else if (recipients.Count >= _options.MaxDestinations)
            {
                reason = "too many destinations";
            }
            else if (uri.MaxSize is { } limit && reportSize > limit)
            {
                // RFC 7489 6.2: a report larger than the URI's limit is not sent there.
                reason = "report larger than the destination's limit";
            }
            else if (recipients.Exists(r => string.Equals(r.Address, uri.MailboxAddress, StringComparison.OrdinalIgnoreCase)))
            {
                reason = "duplicate";
            }
            else if (!_publicSuffixes.TryGetOrganizationalDomain(uri.MailboxDomain, out var destinationOrganizational)
                || !string.Equals(destinationOrganizational, policyOrganizational, StringComparison.Ordinal))
            {
                reason = await CheckExternalAsync(policyDomain, uri.MailboxDomain!, ct).ConfigureAwait(false);
            }

            if (reason is null)
            {
                recipients.Add(new DmarcReportDestination(uri!.MailboxAddress!, uri.MaxSize));
            }
            else
            {
                DmarcReportLog.DestinationSkipped(_logger, policyDomain, text, reason);
                skipped.Add(new DmarcSkippedDestination(text, reason));
            }
        }

        return (recipients, skipped);
    }

    // RFC 7489 7.1 steps 1-4; null when the destination accepts reports for the domain.
    private async ValueTask<string?> CheckExternalAsync(string policyDomain, string destinationDomain, CancellationToken ct)
    {
        var answer = await _dns.GetTxtAsync($"{policyDomain}._report._dmarc.{destinationDomain}", ct).ConfigureAwait(false);
        switch (answer.Status)
        {
            case DnsStatus.ServerFailure or DnsStatus.Timeout:
                return "temporary DNS error verifying the external destination";
            case DnsStatus.Ok:
                foreach (var text in answer.Records)
                {
                    if (DmarcRecord.IsDmarcRecord(text))
                    {
                        return null;
                    }
                }

                break;
        }

        return "external destination not authorized";
    }

    private string BuildXml(string domain, string reportId, long beginSeconds, long endSeconds, DmarcReportPolicy policy, DomainRows rows)
    {
        var metadata = new XElement("report_metadata",
            new XElement("org_name", Clean(_options.OrgName)),
            new XElement("email", Clean(_options.Email)));
        if (_options.ExtraContactInfo is { } extra)
        {
            metadata.Add(new XElement("extra_contact_info", Clean(extra)));
        }

        metadata.Add(
            new XElement("report_id", Clean(reportId)),
            new XElement("date_range",
                new XElement("begin", beginSeconds),
                new XElement("end", endSeconds)));

        var published = new XElement("policy_published",
            new XElement("domain", domain),
            new XElement("adkim", policy.Adkim == DmarcAlignmentMode.Strict ? "s" : "r"),
            new XElement("aspf", policy.Aspf == DmarcAlignmentMode.Strict ? "s" : "r"),
            new XElement("p", PolicyName(policy.P)));
        if (policy.Sp is { } sp)
        {
            published.Add(new XElement("sp", PolicyName(sp)));
        }

        // np (DMARCbis) is kept in the store but not written: the RFC 7489 schema has no such element.
        published.Add(new XElement("pct", policy.Pct), new XElement("fo", Clean(policy.Fo)));

        var feedback = new XElement("feedback", new XElement("version", "1.0"), metadata, published);
        var ordered = new List<Row>(rows.Rows.Values);
        ordered.Sort(static (a, b) => b.Count != a.Count ? b.Count.CompareTo(a.Count) : string.CompareOrdinal(a.Key, b.Key));
        foreach (var row in ordered)
        {
            feedback.Add(RecordElement(row));
        }

        using var output = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, NewLineChars = "\n" };
        using (var writer = XmlWriter.Create(output, settings))
        {
            new XDocument(new XDeclaration("1.0", "UTF-8", null), feedback).Save(writer);
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static XElement RecordElement(Row row)
    {
        var record = row.Sample;
        var evaluated = new XElement("policy_evaluated",
            new XElement("disposition", PolicyName(record.Disposition)),
            new XElement("dkim", record.DkimAligned ? "pass" : "fail"),
            new XElement("spf", record.SpfAligned ? "pass" : "fail"));
        foreach (var reason in record.Overrides)
        {
            var element = new XElement("reason", new XElement("type", OverrideName(reason.Type)));
            if (reason.Comment is { } comment)
            {
                element.Add(new XElement("comment", Clean(comment)));
            }

            evaluated.Add(element);
        }

        var identifiers = new XElement("identifiers");
        if (record.EnvelopeTo is { } to)
        {
            identifiers.Add(new XElement("envelope_to", Clean(to)));
        }

        identifiers.Add(
            new XElement("envelope_from", Clean(record.EnvelopeFrom ?? string.Empty)),
            new XElement("header_from", Clean(record.HeaderFrom)));

        var auth = new XElement("auth_results");
        foreach (var dkim in record.Dkim)
        {
            var element = new XElement("dkim", new XElement("domain", Clean(dkim.Domain)));
            if (dkim.Selector is { } selector)
            {
                element.Add(new XElement("selector", Clean(selector)));
            }

            element.Add(new XElement("result", ResultNames.Of(dkim.Result)));
            auth.Add(element);
        }

        foreach (var spf in record.Spf)
        {
            auth.Add(new XElement("spf",
                new XElement("domain", Clean(spf.Domain)),
                new XElement("scope", spf.Scope == DmarcSpfScope.Helo ? "helo" : "mfrom"),
                new XElement("result", ResultNames.Of(spf.Result))));
        }

        return new XElement("record",
            new XElement("row",
                new XElement("source_ip", Clean(record.SourceIp)),
                new XElement("count", row.Count),
                evaluated),
            identifiers,
            auth);
    }

    private static byte[] Compress(string xml)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(xml));
        }

        return output.ToArray();
    }

    // Row identity: everything a <record> shows except the count.
    private static string RowKey(DmarcReportRecord record)
    {
        var key = new StringBuilder(128);
        key.Append(record.SourceIp).Append('\u0001')
            .Append((int)record.Disposition).Append(record.DkimAligned ? 'P' : 'F').Append(record.SpfAligned ? 'P' : 'F').Append('\u0001')
            .Append(record.EnvelopeTo).Append('\u0001').Append(record.EnvelopeFrom).Append('\u0001').Append(record.HeaderFrom);
        foreach (var reason in record.Overrides)
        {
            key.Append("\u0002o").Append((int)reason.Type).Append('\u0001').Append(reason.Comment);
        }

        foreach (var dkim in record.Dkim)
        {
            key.Append("\u0002d").Append(dkim.Domain).Append('\u0001').Append(dkim.Selector).Append('\u0001').Append((int)dkim.Result);
        }

        foreach (var spf in record.Spf)
        {
            key.Append("\u0002s").Append(spf.Domain).Append('\u0001').Append((int)spf.Scope).Append('\u0001').Append((int)spf.Result);
        }

        return key.ToString();
    }

    // XML 1.0 2.2: characters outside Char cannot be written; stored values come from messages and DNS.
    private static string Clean(string value)
    {
        foreach (var c in value)
        {
            if (!XmlConvert.IsXmlChar(c))
            {
                var text = new StringBuilder(value.Length);
                foreach (var d in value)
                {
                    if (XmlConvert.IsXmlChar(d))
                    {
                        text.Append(d);
                    }
                }

                return text.ToString();
            }
        }

        return value;
    }

    private static string PolicyName(DmarcPolicy policy) => policy switch
    {
        DmarcPolicy.Quarantine => "quarantine",
        DmarcPolicy.Reject => "reject",
        _ => "none",
    };

    private static string OverrideName(DmarcPolicyOverride type) => type switch
    {
        DmarcPolicyOverride.Forwarded => "forwarded",
        DmarcPolicyOverride.SampledOut => "sampled_out",
        DmarcPolicyOverride.TrustedForwarder => "trusted_forwarder",
        DmarcPolicyOverride.MailingList => "mailing_list",
        DmarcPolicyOverride.LocalPolicy => "local_policy",
        _ => "other",
    };



    private sealed class DomainRows
    {
        public Dictionary<string, Row> Rows { get; } = new(StringComparer.Ordinal);

        public DmarcReportRecord? Latest { get; set; }

        public int Messages { get; set; }
    }

    private sealed class Row(DmarcReportRecord sample, string key)
    {
        public DmarcReportRecord Sample { get; } = sample;

        public string Key { get; } = key;

        public int Count { get; set; } = 1;
    }
}
