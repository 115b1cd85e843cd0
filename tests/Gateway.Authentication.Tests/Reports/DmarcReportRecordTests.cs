using System.Net;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.Reports;
using Gateway.Authentication.Spf;

namespace Gateway.Authentication.Tests.Reports;

public sealed class DmarcReportRecordTests
{
    [Fact]
    public void Evaluation_becomes_a_report_record()
    {
        var record = DmarcReportTestData.Record(DmarcReportTestData.Day, ip: "::ffff:192.0.2.7", dkimAligned: false, disposition: DmarcPolicy.Reject);
        Assert.Equal("192.0.2.7", record.SourceIp);
        Assert.Equal("example.com", record.HeaderFrom);
        Assert.Equal("bounce.example.com", record.EnvelopeFrom);
        Assert.Equal(DmarcPolicy.Reject, record.Disposition);
        Assert.False(record.DkimAligned);
        Assert.Equal(new DmarcReportDkim("example.com", "s1", DkimResult.Fail), Assert.Single(record.Dkim));
        Assert.Equal(new DmarcReportSpf("bounce.example.com", DmarcSpfScope.MailFrom, SpfResult.SoftFail), Assert.Single(record.Spf));
        Assert.Equal(new DmarcReportPolicy("example.com", DmarcAlignmentMode.Strict, DmarcAlignmentMode.Relaxed, DmarcPolicy.Reject, DmarcPolicy.Quarantine, null, 100, "0"), record.PolicyPublished);
        Assert.Equal(["mailto:dmarc@example.com"], record.AggregateReportUris);
    }

    [Fact]
    public void Overrides_are_carried()
    {
        var evaluation = new DmarcEvaluation
        {
            Result = DmarcResult.Fail,
            Author = DmarcAuthor.ForDomain("example.com"),
            PolicyDomain = "example.com",
            Record = new DmarcRecord { Policy = DmarcPolicy.Reject, AggregateReportUris = [new DmarcReportUri("mailto:a@example.com", "mailto", 1024, "a@example.com", "example.com")] },
            Disposition = DmarcPolicy.None,
            Override = DmarcPolicyOverride.MailingList,
            OverrideComment = "list.example.org",
        };
        var record = DmarcReportRecord.FromEvaluation(evaluation, new DmarcInput { Author = evaluation.Author }, IPAddress.IPv6Loopback, null, DmarcReportTestData.Day);
        Assert.NotNull(record);
        Assert.Equal(new DmarcReportOverride(DmarcPolicyOverride.MailingList, "list.example.org"), Assert.Single(record.Overrides));
        Assert.Equal(["mailto:a@example.com!1024"], record.AggregateReportUris);
        Assert.Equal("::1", record.SourceIp);
    }

    [Fact]
    public void Nothing_is_recorded_without_a_record_or_a_rua()
    {
        var author = DmarcAuthor.ForDomain("example.com");
        var input = new DmarcInput { Author = author };
        var none = new DmarcEvaluation { Result = DmarcResult.None, Author = author };
        var noRua = none with { Result = DmarcResult.Fail, PolicyDomain = "example.com", Record = new DmarcRecord { Policy = DmarcPolicy.Reject } };
        Assert.Null(DmarcReportRecord.FromEvaluation(none, input, IPAddress.Loopback, null, DmarcReportTestData.Day));
        Assert.Null(DmarcReportRecord.FromEvaluation(noRua, input, IPAddress.Loopback, null, DmarcReportTestData.Day));
    }
}
