using System.IO.Compression;
using System.Net;
using System.Xml.Linq;
using Gateway.Abstractions;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.Reports;
using Gateway.Authentication.Spf;
using Gateway.Host.Reports;
using Gateway.Policy;
using Gateway.Queue;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Gateway.Tests;

/// <summary>
/// Aggregate reports go out once per completed period, through the outbound queue, as RFC 7489 7.2.1.1 mail:
/// the gzip'd XML attached, to the rua address, and a period is never reported twice.
/// </summary>
public sealed class DmarcReportingTests
{
    [Fact]
    public async Task A_completed_period_is_queued_once_as_a_report_mail_to_the_rua_address()
    {
        var state = TestDirectories.CreateTemp("gw-dmarc");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 10, 20, 0, TimeSpan.Zero));
        var policy = new GatewayPolicy
        {
            HostName = "mx.example.test",
            StateDirectory = state,
            Domains = ["example.test"],
            Dns = new DnsPolicy { Servers = [new IPEndPoint(IPAddress.Loopback, 9)], Timeout = TimeSpan.FromMilliseconds(200) },
            Authentication = new AuthenticationPolicy
            {
                AuthservId = "mx.example.test",
                Dmarc = new Gateway.Policy.DmarcPolicy
                {
                    Reports = new DmarcReportsPolicy
                    {
                        Enabled = true,
                        Interval = TimeSpan.FromHours(1),
                        OrgName = "Example Org",
                        From = new Mailbox("dmarc-reports", "example.test"),
                    },
                },
            },
        };
        await using var store = new DmarcReportStore(new DmarcReportStoreOptions { Directory = Path.Combine(state, "dmarc") });
        Assert.True(await store.AppendAsync(Record(time.GetUtcNow(), "192.0.2.7"), CancellationToken.None));
        Assert.True(await store.AppendAsync(Record(time.GetUtcNow(), "192.0.2.7"), CancellationToken.None));
        await using var queue = new FileQueueStore(
            Path.Combine(state, "queue"), time, new FileTraceLog(Path.Combine(state, "log")), NullLogger<FileQueueStore>.Instance);
        var reporting = new DmarcReporting(policy, store, time);

        // 10:20: the 10:00-11:00 period is still running; 09:00-10:00 had nothing.
        var due = reporting.DuePeriod()!.Value;
        Assert.Empty(await reporting.BuildAsync(due.Begin, due.End, CancellationToken.None));
        await reporting.MarkSentAsync(due.End, CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(45));
        var (begin, end) = reporting.DuePeriod()!.Value;
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), begin);
        var reports = await reporting.BuildAsync(begin, end, CancellationToken.None);
        Assert.Equal(1, await reporting.SendAsync(reports, queue, null, CancellationToken.None));

        // Had the period failed after this report was queued (another report, or marking it sent), the retry would
        // not queue it again.
        Assert.Equal(0, await reporting.SendAsync(reports, queue, null, CancellationToken.None));
        await reporting.MarkSentAsync(end, CancellationToken.None);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(state, "dmarc"), "queued-*"));
        Assert.Null(reporting.DuePeriod());

        var entry = Assert.Single(await ToListAsync(queue.ListAsync(CancellationToken.None)));
        Assert.Equal(QueuedEnvelope.ReportOrigin, entry.Envelope.Origin);
        Assert.Equal("dmarc-reports@example.test", entry.Envelope.From);
        Assert.Equal(["rua@sender.test"], entry.Envelope.Recipients.Select(r => r.Address));
        Assert.All(entry.Envelope.Recipients, r => Assert.Equal(MailDirection.Outbound, r.Direction));

        await using var content = await queue.OpenMessageAsync(entry.Envelope.QueueId, CancellationToken.None);
        var message = await MimeMessage.LoadAsync(content);
        Assert.StartsWith("Report Domain: sender.test Submitter: ", message.Subject, StringComparison.Ordinal);
        var attachment = Assert.Single(message.Attachments.OfType<MimePart>());
        Assert.Equal("application/gzip", attachment.ContentType.MimeType);
        Assert.EndsWith(".xml.gz", attachment.FileName!, StringComparison.Ordinal);
        using var decoded = new MemoryStream();
        await attachment.Content!.DecodeToAsync(decoded);
        decoded.Position = 0;
        using var gunzip = new GZipStream(decoded, CompressionMode.Decompress);
        var xml = XDocument.Load(gunzip);
        Assert.Equal("Example Org", xml.Descendants("org_name").Single().Value);
        Assert.Equal("sender.test", xml.Descendants("policy_published").Single().Element("domain")!.Value);
        var row = xml.Descendants("row").Single();
        Assert.Equal("192.0.2.7", row.Element("source_ip")!.Value);
        Assert.Equal("2", row.Element("count")!.Value);
    }

    private static DmarcReportRecord Record(DateTimeOffset time, string ip) => new()
    {
        Time = time,
        SourceIp = ip,
        HeaderFrom = "sender.test",
        EnvelopeFrom = "sender.test",
        PolicyDomain = "sender.test",
        Disposition = Gateway.Authentication.Dmarc.DmarcPolicy.Reject,
        DkimAligned = false,
        SpfAligned = false,
        Spf = [new DmarcReportSpf("sender.test", DmarcSpfScope.MailFrom, SpfResult.Fail)],
        PolicyPublished = new DmarcReportPolicy("sender.test", DmarcAlignmentMode.Relaxed, DmarcAlignmentMode.Relaxed, Gateway.Authentication.Dmarc.DmarcPolicy.Reject, null, null, 100, "0"),
        AggregateReportUris = ["mailto:rua@sender.test"],
    };

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
