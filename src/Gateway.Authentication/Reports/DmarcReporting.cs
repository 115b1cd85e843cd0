using System.Globalization;
using Gateway.Abstractions;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.PublicSuffix;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace Gateway.Authentication.Reports;

/// <summary>
/// Turns the recorded DMARC evaluations of one period into RFC 7489 7.2 aggregate reports and into the mail that
/// carries them (one message per report, the gzip'd XML attached, DKIM-signed when we hold a key for the sender),
/// and remembers which periods went out so none is sent twice. Used by the host's reporting service and by
/// `gateway dmarc report --dry-run`.
/// </summary>
public sealed class DmarcReporting
{
    private const string LastSentFile = "last-report";
    private const string QueuedFilePrefix = "queued-";

    private readonly DmarcReportingOptions _options;
    private readonly DmarcReportStore _store;
    private readonly TimeProvider _time;
    private readonly DmarcAggregateReportBuilder _builder;
    private readonly DkimSigningService _signer;

    public DmarcReporting(
        DmarcReportingOptions options,
        DmarcReportStore store,
        IDnsResolver dns,
        PublicSuffixList suffixes,
        TimeProvider time,
        ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggers ??= NullLoggerFactory.Instance;
        _options = options;
        _store = store;
        _time = time;
        _builder = new DmarcAggregateReportBuilder(options.Report, dns, suffixes, time, loggers.CreateLogger<DmarcAggregateReportBuilder>());
        _signer = new DkimSigningService(time, null, loggers.CreateLogger<DkimSigningService>());
    }

    public TimeSpan Interval => _options.Interval;

    /// <summary>The domain report mails come from: the signing keys of this domain (or a parent) sign them.</summary>
    public string FromDomain => From[(From.LastIndexOf('@') + 1)..];

    private string From => _options.Report.Email;

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

    /// <summary>
    /// Sends the last complete period if it has not been sent: builds its reports, queues them and marks the
    /// period sent. Null when nothing was due.
    /// </summary>
    public async Task<DmarcReportRun?> SendDueAsync(IDmarcReportOutbox outbox, IReadOnlyList<DkimSigningKey> signingKeys, CancellationToken ct)
    {
        if (DuePeriod() is not { } period)
        {
            return null;
        }

        var reports = await BuildAsync(period.Begin, period.End, ct).ConfigureAwait(false);
        var queued = await SendAsync(reports, outbox, signingKeys, ct).ConfigureAwait(false);
        await MarkSentAsync(period.End, ct).ConfigureAwait(false);
        return new DmarcReportRun(period.Begin, period.End, queued);
    }

    /// <summary>
    /// Queues one message per report for its rua destinations, signed with <paramref name="signingKeys"/> (the keys
    /// for <see cref="FromDomain"/>; none: unsigned); returns how many were queued.
    /// </summary>
    public async Task<int> SendAsync(IReadOnlyList<DmarcAggregateReport> reports, IDmarcReportOutbox outbox, IReadOnlyList<DkimSigningKey> signingKeys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(signingKeys);
        var from = From;
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
            var mail = new DmarcReportMail(from, [.. report.Recipients.Select(r => r.Address)], Sign(message, signingKeys));
            await outbox.QueueAsync(mail, ct).ConfigureAwait(false);
            await RecordQueuedAsync(marker, report.ReportId, ct).ConfigureAwait(false);
            queued++;
        }

        return queued;
    }

    /// <summary>The report ids of a period already queued, one per line, until the period is marked sent.</summary>
    private string QueuedMarkerPath(DateTimeOffset end) =>
        Path.Combine(_options.Directory, QueuedFilePrefix + end.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));

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
        Directory.CreateDirectory(_options.Directory);
        var path = Path.Combine(_options.Directory, LastSentFile);
        await File.WriteAllTextAsync(path + ".tmp", end.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
        File.Move(path + ".tmp", path, overwrite: true);
        foreach (var marker in Directory.EnumerateFiles(_options.Directory, QueuedFilePrefix + "*"))
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
        var path = Path.Combine(_options.Directory, LastSentFile);
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
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(_options.HostName);
        var text = new TextPart("plain")
        {
            Text = string.Create(
                CultureInfo.InvariantCulture,
                $"DMARC aggregate report (RFC 7489) for {report.PolicyDomain} from {_options.HostName}:\r\n{report.MessageCount} message(s), {report.Begin:u} to {report.End:u}.\r\n"),
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

    private byte[] Sign(byte[] message, IReadOnlyList<DkimSigningKey> keys)
    {
        if (keys.Count == 0)
        {
            return message;
        }

        // The signature fields go on top of the composed bytes, which are never re-encoded after signing.
        var signature = System.Text.Encoding.ASCII.GetBytes(_signer.Sign(message, keys));
        return [.. signature, .. message];
    }
}
