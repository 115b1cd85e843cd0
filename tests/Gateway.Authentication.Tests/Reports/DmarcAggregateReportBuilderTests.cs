using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using Gateway.Abstractions;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.PublicSuffix;
using Gateway.Authentication.Reports;
using Gateway.Dns;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Authentication.Tests.Reports.DmarcReportTestData;

namespace Gateway.Authentication.Tests.Reports;

public sealed class DmarcAggregateReportBuilderTests
{
    private static readonly PublicSuffixList Psl = PublicSuffixList.LoadEmbedded();

    private readonly InMemoryDnsResolver _dns = new();
    private readonly FakeTimeProvider _time = new(Day.AddDays(1).AddHours(0.5));

    private DmarcAggregateReportBuilder Builder() => new(
        new DmarcReportOptions { OrgName = "Gateway Test", Email = "dmarc-reports@mx.receiver.example", ReceiverDomain = "receiver.example", ExtraContactInfo = "https://receiver.example/dmarc" },
        _dns, Psl, _time);

    [Fact]
    public void Last_complete_period_comes_from_the_clock()
    {
        var (begin, end) = Builder().GetLastCompletePeriod(TimeSpan.FromDays(1));
        Assert.Equal(Day, begin);
        Assert.Equal(Day.AddDays(1), end);

        _time.Advance(TimeSpan.FromHours(3));
        var (hourBegin, hourEnd) = Builder().GetLastCompletePeriod(TimeSpan.FromHours(1));
        Assert.Equal(Day.AddDays(1).AddHours(2), hourBegin);
        Assert.Equal(Day.AddDays(1).AddHours(3), hourEnd);
        Assert.Throws<ArgumentOutOfRangeException>(() => Builder().GetLastCompletePeriod(TimeSpan.FromMinutes(90)));
    }

    [Fact]
    public async Task Rows_are_grouped_with_counts_and_the_xml_follows_appendix_c()
    {
        var records = new List<DmarcReportRecord>
        {
            Record(Day.AddHours(1)),
            Record(Day.AddHours(2)),
            Record(Day.AddHours(3)),
            Record(Day.AddHours(4), ip: "198.51.100.9", dkimAligned: false, disposition: DmarcPolicy.Reject),
            Record(Day.AddHours(5), ip: "198.51.100.9", dkimAligned: false, disposition: DmarcPolicy.Reject),
            Record(Day.AddHours(6), selector: "s2"),
            Record(Day.AddDays(1).AddMinutes(1)),
            Record(Day.AddHours(-1)),
        };
        var (begin, end) = Builder().GetLastCompletePeriod(TimeSpan.FromDays(1));
        var report = Assert.Single(await Builder().BuildAsync(records, begin, end, CancellationToken.None));

        Assert.Equal(6, report.MessageCount);
        Assert.Equal("example.com", report.PolicyDomain);
        Assert.Equal("receiver.example!example.com!1714521600!1714607999.xml.gz", report.FileName);
        Assert.Equal($"Report Domain: example.com Submitter: receiver.example Report-ID: <{report.ReportId}>", report.Subject);
        Assert.Equal(new DmarcReportDestination("dmarc@example.com", null), Assert.Single(report.Recipients));
        Assert.Empty(report.Skipped);

        var feedback = XDocument.Parse(report.Xml).Root!;
        Assert.Equal("feedback", feedback.Name.LocalName);
        var metadata = feedback.Element("report_metadata")!;
        Assert.Equal("Gateway Test", metadata.Element("org_name")!.Value);
        Assert.Equal("dmarc-reports@mx.receiver.example", metadata.Element("email")!.Value);
        Assert.Equal("https://receiver.example/dmarc", metadata.Element("extra_contact_info")!.Value);
        Assert.Equal(report.ReportId, metadata.Element("report_id")!.Value);
        Assert.Equal("1714521600", metadata.Element("date_range")!.Element("begin")!.Value);
        Assert.Equal("1714607999", metadata.Element("date_range")!.Element("end")!.Value);

        var published = feedback.Element("policy_published")!;
        Assert.Equal("example.com", published.Element("domain")!.Value);
        Assert.Equal("s", published.Element("adkim")!.Value);
        Assert.Equal("r", published.Element("aspf")!.Value);
        Assert.Equal("reject", published.Element("p")!.Value);
        Assert.Equal("quarantine", published.Element("sp")!.Value);
        Assert.Equal("100", published.Element("pct")!.Value);

        var rows = feedback.Elements("record").ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(["3", "2", "1"], rows.Select(r => r.Element("row")!.Element("count")!.Value));
        var failing = rows[1];
        Assert.Equal("198.51.100.9", failing.Element("row")!.Element("source_ip")!.Value);
        var evaluated = failing.Element("row")!.Element("policy_evaluated")!;
        Assert.Equal("reject", evaluated.Element("disposition")!.Value);
        Assert.Equal("fail", evaluated.Element("dkim")!.Value);
        Assert.Equal("fail", evaluated.Element("spf")!.Value);
        Assert.Equal("example.com", failing.Element("identifiers")!.Element("header_from")!.Value);
        Assert.Equal("bounce.example.com", failing.Element("identifiers")!.Element("envelope_from")!.Value);
        var auth = failing.Element("auth_results")!;
        Assert.Equal("fail", auth.Element("dkim")!.Element("result")!.Value);
        Assert.Equal("s1", auth.Element("dkim")!.Element("selector")!.Value);
        Assert.Equal("mfrom", auth.Element("spf")!.Element("scope")!.Value);
        Assert.Equal("softfail", auth.Element("spf")!.Element("result")!.Value);
        Assert.Equal("pass", rows[0].Element("row")!.Element("policy_evaluated")!.Element("dkim")!.Value);
    }

    [Fact]
    public async Task Gzip_attachment_round_trips_to_the_xml()
    {
        var report = Assert.Single(await Builder().BuildAsync([Record(Day.AddHours(1))], Day, Day.AddDays(1), CancellationToken.None));
        using var input = new GZipStream(new MemoryStream(report.Gzip), CompressionMode.Decompress);
        using var reader = new StreamReader(input, Encoding.UTF8);
        Assert.Equal(report.Xml, await reader.ReadToEndAsync());
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", report.Xml, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Reports_are_made_per_policy_domain_from_the_store()
    {
        var directory = Gateway.Testing.TestDirectories.CreateTemp("dmarc-build");
        try
        {
            await using var store = new DmarcReportStore(new DmarcReportStoreOptions { Directory = directory });
            await store.AppendAsync(Record(Day.AddHours(1)), CancellationToken.None);
            await store.AppendAsync(Record(Day.AddHours(2), policyDomain: "example.org", rua: "mailto:r@example.org"), CancellationToken.None);
            await store.AppendAsync(Record(Day.AddHours(3), policyDomain: "example.org", rua: "mailto:r@example.org"), CancellationToken.None);
            var reports = await Builder().BuildAsync(store.ReadAsync(Day, Day.AddDays(1), CancellationToken.None), Day, Day.AddDays(1), CancellationToken.None);
            Assert.Equal(["example.com", "example.org"], reports.Select(r => r.PolicyDomain));
            Assert.Equal([1, 2], reports.Select(r => r.MessageCount));
            Assert.Equal("r@example.org", Assert.Single(reports[1].Recipients).Address);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task External_destinations_need_an_authorization_record()
    {
        _dns.AddTxt("example.com._report._dmarc.reports.vendor.example", "v=DMARC1");
        _dns.AddTxt("example.com._report._dmarc.other.example", "not dmarc");
        _dns.SetStatus("example.com._report._dmarc.flaky.example", DnsStatus.ServerFailure);
        var rua = "mailto:a@reports.vendor.example,mailto:b@other.example,mailto:c@flaky.example,mailto:d@nowhere.example,mailto:e@sub.example.com,https://x.example/r";
        var report = Assert.Single(await Builder().BuildAsync([Record(Day.AddHours(1), rua: rua)], Day, Day.AddDays(1), CancellationToken.None));

        Assert.Equal(["a@reports.vendor.example", "e@sub.example.com"], report.Recipients.Select(r => r.Address));
        Assert.Equal(
            ["mailto:b@other.example", "mailto:c@flaky.example", "mailto:d@nowhere.example", "https://x.example/r"],
            report.Skipped.Select(s => s.Uri));
        Assert.Contains("temporary", report.Skipped[1].Reason, StringComparison.Ordinal);
        Assert.Contains("not authorized", report.Skipped[2].Reason, StringComparison.Ordinal);
        Assert.Equal(0, _dns.QueryCount("example.com._report._dmarc.sub.example.com"));
    }

    [Fact]
    public async Task Destinations_with_a_smaller_size_limit_are_skipped()
    {
        var report = Assert.Single(await Builder().BuildAsync(
            [Record(Day.AddHours(1), rua: "mailto:small@example.com!10,mailto:big@example.com!1m")], Day, Day.AddDays(1), CancellationToken.None));
        Assert.Equal(new DmarcReportDestination("big@example.com", 1L << 20), Assert.Single(report.Recipients));
        Assert.Contains("limit", Assert.Single(report.Skipped).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Values_that_are_not_xml_characters_are_dropped()
    {
        var record = Record(Day.AddHours(1), selector: "sel\u0001ector\uFFFE");
        var report = Assert.Single(await Builder().BuildAsync([record], Day, Day.AddDays(1), CancellationToken.None));
        Assert.Equal("selector", XDocument.Parse(report.Xml).Descendants("selector").Single().Value);
    }

    [Fact]
    public async Task No_records_no_reports()
    {
        Assert.Empty(await Builder().BuildAsync([Record(Day.AddDays(3))], Day, Day.AddDays(1), CancellationToken.None));
    }
}
