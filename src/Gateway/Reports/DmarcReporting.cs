using System.Globalization;
using Gateway.Authentication.PublicSuffix;
using Gateway.Authentication.Reports;
using Gateway.Dns;
using Gateway.Host.Spool;
using Gateway.Pipeline;
using Gateway.Policy;
using Gateway.Queue;
using Gateway.Syntax;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace Gateway.Host.Reports;

/// <summary>
/// Turns the recorded DMARC evaluations of one period into RFC 7489 7.2 aggregate reports and into the mail that
/// carries them (one message per report, the gzip'd XML attached, DKIM-signed when we hold a key for the sender).
/// Shared by the reporting service and `gateway dmarc report --dry-run`.
/// </summary>
internal sealed class DmarcReporting
{
    private const string LastSentFile = "last-report";
    private const string QueuedFilePrefix = "queued-";

    private readonly GatewayPolicy _policy;
    private readonly DmarcReportStore _store;
    private readonly TimeProvider _time;
    private readonly DmarcAggregateReportBuilder _builder;

    public DmarcReporting(GatewayPolicy policy, DmarcReportStore store, TimeProvider time, ILoggerFactory? loggers = null)
    {
        loggers ??= NullLoggerFactory.Instance;
        _policy = policy;
        _store = store;
        _time = time;
        var reports = policy.Authentication.Dmarc.Reports;
        var dns = new DnsClientResolver(
            new DnsResolverOptions { Servers = policy.Dns.Servers, Timeout = policy.Dns.Timeout },
            loggers.CreateLogger<DnsClientResolver>());
        var suffixes = policy.Authentication.Dmarc.PublicSuffixList is { } path ? PublicSuffixList.LoadFile(path) : PublicSuffixList.LoadEmbedded();
        _builder = new DmarcAggregateReportBuilder(
            new DmarcReportOptions
            {
                OrgName = reports.OrgName ?? policy.HostName,
                Email = reports.From?.ToString() ?? "postmaster@" + policy.HostName,
                ReceiverDomain = policy.Authentication.AuthservId ?? policy.HostName,
            },
            dns,
            suffixes,
            time,
            loggers.CreateLogger<DmarcAggregateReportBuilder>());
    }

    public TimeSpan Interval => _policy.Authentication.Dmarc.Reports.Interval;

    /// <summary>
    /// Everything not reported yet, for a dry run: the last complete period unless it was sent, through the end
    /// of the period in progress.
    /// </summary>
    public (DateTimeOffset Begin, DateTimeOffset End) UnreportedSpan()
    {
        var (begin, end) = _builder.GetLastCompletePeriod(Interval);
        return (LastSent() >= end ? end : begin, end + Interval);
    }

    /// <summary>The last complete period, when it has not been reported yet.</summary>
    public (DateTimeOffset Begin, DateTimeOffset End)? DuePeriod()
    {
        var (begin, end) = _builder.GetLastCompletePeriod(Interval);
        return LastSent() >= end ? null : (begin, end);
    }

    public async Task<IReadOnlyList<DmarcAggregateReport>> BuildAsync(DateTimeOffset begin, DateTimeOffset end, CancellationToken ct) =>
        await _builder.BuildAsync(_store.ReadAsync(begin, end, ct), begin, end, ct).ConfigureAwait(false);

    /// <summary>Queues one message per report for its rua destinations; returns how many were queued.</summary>
    public async Task<int> SendAsync(IReadOnlyList<DmarcAggregateReport> reports, FileQueueStore queue, SenderAuthentication? authentication, CancellationToken ct)
    {
        var from = _policy.Authentication.Dmarc.Reports.From?.ToString() ?? "postmaster@" + _policy.HostName;
        var queued = 0;

        // A failure at report k of a period is retried from the start: the ones before it went out already.
        var done = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var report in reports)
        {
            var marker = QueuedMarkerPath(report.End);
            if (!done.TryGetValue(marker, out var ids))
            {
                ids = File.Exists(marker)
                    ? new HashSet<string>(await File.ReadAllLinesAsync(marker, ct).ConfigureAwait(false), StringComparer.Ordinal)
                    : new HashSet<string>(StringComparer.Ordinal);
                done[marker] = ids;
            }

            if (report.Recipients.Count == 0 || ids.Contains(report.ReportId))
            {
                continue;
            }

            var message = Compose(report, from);
            var envelope = new QueuedEnvelope
            {
                QueueId = string.Empty,
                ReceivedAt = _time.GetUtcNow(),
                Origin = QueuedEnvelope.ReportOrigin,
                From = from,
                Recipients = report.Recipients
                    .Select(r => new QueuedRecipient(r.Address, Gateway.Abstractions.MailDirection.Outbound, Gateway.Abstractions.DsnNotify.Never, null, null))
                    .ToList(),
            };
            await queue.EnqueueAsync(envelope, Sign(message, from, authentication), ct).ConfigureAwait(false);
            await RecordQueuedAsync(marker, report.ReportId, ct).ConfigureAwait(false);
            queued++;
        }

        return queued;
    }

    /// <summary>The report ids of a period already queued, one per line, until the period is marked sent.</summary>
    private string QueuedMarkerPath(DateTimeOffset end) =>
        Path.Combine(SpoolPaths.DmarcDirectory(_policy), QueuedFilePrefix + end.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));

    private static async Task RecordQueuedAsync(string marker, string reportId, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        var stream = new FileStream(marker, FileMode.Append, FileAccess.Write, FileShare.None);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(reportId + "\n"), ct).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
    }

    public async Task MarkSentAsync(DateTimeOffset end, CancellationToken ct)
    {
        Directory.CreateDirectory(SpoolPaths.DmarcDirectory(_policy));
        var path = Path.Combine(SpoolPaths.DmarcDirectory(_policy), LastSentFile);
        await File.WriteAllTextAsync(path + ".tmp", end.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
        File.Move(path + ".tmp", path, overwrite: true);
        foreach (var marker in Directory.EnumerateFiles(SpoolPaths.DmarcDirectory(_policy), QueuedFilePrefix + "*"))
        {
            if (long.TryParse(Path.GetFileName(marker)[QueuedFilePrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var periodEnd)
                && periodEnd <= end.ToUnixTimeSeconds())
            {
                File.Delete(marker);
            }
        }

        // Evaluations are kept a week past their report, for an admin who wants to look at them.
        await _store.DeleteBeforeAsync(end - Interval - TimeSpan.FromDays(7), ct).ConfigureAwait(false);
    }

    private DateTimeOffset LastSent()
    {
        var path = Path.Combine(SpoolPaths.DmarcDirectory(_policy), LastSentFile);
        return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.MinValue;
    }

    private byte[] Compose(DmarcAggregateReport report, string from)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        foreach (var recipient in report.Recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient.Address));
        }

        message.Subject = report.Subject;
        message.Date = _time.GetUtcNow();
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(_policy.HostName);
        var text = new TextPart("plain")
        {
            Text = string.Create(
                CultureInfo.InvariantCulture,
                $"DMARC aggregate report (RFC 7489) for {report.PolicyDomain} from {_policy.HostName}:\r\n{report.MessageCount} message(s), {report.Begin:u} to {report.End:u}.\r\n"),
        };
        var attachment = new MimePart("application", "gzip")
        {
            Content = new MimeContent(new MemoryStream(report.Gzip)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = report.FileName,
        };
        message.Body = new Multipart("mixed") { text, attachment };
        using var output = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, output);
        return output.ToArray();
    }

    private static byte[] Sign(byte[] message, string from, SenderAuthentication? authentication)
    {
        if (authentication is null || !AddrSpec.TrySplit(from, out _, out var domain) || authentication.KeysFor(domain) is not { Count: > 0 } keys)
        {
            return message;
        }

        var signature = System.Text.Encoding.ASCII.GetBytes(authentication.Signer.Sign(message, keys));
        return [.. signature, .. message];
    }
}
