using System.IO.Compression;
using System.Xml.Linq;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.PublicSuffix;
using Gateway.Authentication.Reports;
using Gateway.Authentication.Spf;
using Gateway.Dns;
using Gateway.Testing;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Gateway.Authentication.Tests.Reports;

/// <summary>
/// Aggregate reports go out once per completed period, through the outbox (the host's outbound queue), as RFC 7489
/// 7.2.1.1 mail: the gzip'd XML attached, to the rua address, and a period is never reported twice.
/// </summary>
public sealed class DmarcReportingTests
{
    private static DmarcReportingOptions Options(string state) => new()
    {
        Report = new DmarcReportOptions { OrgName = "Example Org", Email = "dmarc-reports@example.test", ReceiverDomain = "mx.example.test" },
        Interval = TimeSpan.FromHours(1),
        HostName = "mx.example.test",
        Directory = Path.Combine(state, "dmarc"),
    };

    [Fact]
    public async Task A_completed_period_is_queued_once_as_a_report_mail_to_the_rua_address()
    {
        var state = TestDirectories.CreateTemp("gw-dmarc");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 10, 20, 0, TimeSpan.Zero));
        await using var store = new DmarcReportStore(new DmarcReportStoreOptions { Directory = Path.Combine(state, "dmarc") });
        Assert.True(await store.AppendAsync(Record(time.GetUtcNow(), "192.0.2.7"), CancellationToken.None));
        Assert.True(await store.AppendAsync(Record(time.GetUtcNow(), "192.0.2.7"), CancellationToken.None));
        var outbox = new RecordingOutbox();
        var reporting = new DmarcReporting(Options(state), store, new InMemoryDnsResolver(), PublicSuffixList.LoadEmbedded(), time);
        Assert.Equal("example.test", reporting.FromDomain);

        // 10:20: the 10:00-11:00 period is still running; 09:00-10:00 had nothing.
        var due = reporting.DuePeriod()!.Value;
        Assert.Empty(await reporting.BuildAsync(due.Begin, due.End, CancellationToken.None));
        await reporting.MarkSentAsync(due.End, CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(45));
        var (begin, end) = reporting.DuePeriod()!.Value;
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), begin);
        var reports = await reporting.BuildAsync(begin, end, CancellationToken.None);
        Assert.Equal(1, await reporting.SendAsync(reports, outbox, [], CancellationToken.None));

        // Had the period failed after this report was queued (another report, or marking it sent), the retry would
        // not queue it again.
        Assert.Equal(0, await reporting.SendAsync(reports, outbox, [], CancellationToken.None));
        await reporting.MarkSentAsync(end, CancellationToken.None);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(state, "dmarc"), "queued-*"));
        Assert.Null(reporting.DuePeriod());

        var mail = Assert.Single(outbox.Mails);
        Assert.Equal("dmarc-reports@example.test", mail.From);
        Assert.Equal(["rua@sender.test"], mail.Recipients);

        using var content = new MemoryStream(mail.Content.ToArray());
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

    [Fact]
    public async Task A_due_period_is_sent_signed_with_the_keys_given_and_marked_sent()
    {
        var state = TestDirectories.CreateTemp("gw-dmarc");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 10, 20, 0, TimeSpan.Zero));
        await using var store = new DmarcReportStore(new DmarcReportStoreOptions { Directory = Path.Combine(state, "dmarc") });
        Assert.True(await store.AppendAsync(Record(time.GetUtcNow() - TimeSpan.FromHours(1), "192.0.2.8"), CancellationToken.None));
        var keyFile = Path.Combine(state, "key.pem");
        await File.WriteAllTextAsync(keyFile, DkimKeyGenerator.GenerateEd25519().PrivateKeyPem);
        using var key = DkimSigningKey.Load("example.test", "rep", keyFile);
        var outbox = new RecordingOutbox();
        var reporting = new DmarcReporting(Options(state), store, new InMemoryDnsResolver(), PublicSuffixList.LoadEmbedded(), time);

        var run = await reporting.SendDueAsync(outbox, [key], CancellationToken.None);

        Assert.Equal(new DmarcReportRun(time.GetUtcNow().AddMinutes(-80), time.GetUtcNow().AddMinutes(-20), 1), run);
        var text = System.Text.Encoding.ASCII.GetString(Assert.Single(outbox.Mails).Content.Span);
        Assert.StartsWith("DKIM-Signature:", text, StringComparison.Ordinal);
        Assert.Contains("d=example.test", text, StringComparison.Ordinal);
        Assert.Contains("s=rep", text, StringComparison.Ordinal);
        Assert.Null(await reporting.SendDueAsync(outbox, [key], CancellationToken.None));
        Assert.Single(outbox.Mails);
    }

    private sealed class RecordingOutbox : IDmarcReportOutbox
    {
        public List<DmarcReportMail> Mails { get; } = [];

        public ValueTask QueueAsync(DmarcReportMail mail, CancellationToken cancellationToken)
        {
            Mails.Add(mail);
            return ValueTask.CompletedTask;
        }
    }
}
