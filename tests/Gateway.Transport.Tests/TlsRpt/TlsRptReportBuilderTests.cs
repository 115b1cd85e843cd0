using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Gateway.Transport.TlsRpt;

namespace Gateway.Transport.Tests.TlsRpt;

public sealed class TlsRptReportBuilderTests
{
    internal static readonly TlsRptReportOptions Options = new()
    {
        OrganizationName = "Example Gateway Operator",
        ContactInfo = "tlsrpt-contact@gw.example.net",
        SubmitterDomain = "gw.example.net",
    };

    internal static TlsRptDailyResults Results() => new(
        new DateOnly(2025, 6, 1),
        "example.org",
        [
            new TlsRptPolicyResults(
                new TlsRptPolicy(TlsRptPolicyTypes.Sts, "example.org", ["version: STSv1", "mode: enforce", "mx: *.example.org", "max_age: 86400"], ["*.example.org"]),
                15,
                3,
                [
                    new TlsRptFailureCount(
                        new TlsRptFailure(TlsRptResultTypes.CertificateExpired, IPAddress.Parse("192.0.2.1"), "mx1.example.org", IPAddress.Parse("2001:db8::25")),
                        2),
                    new TlsRptFailureCount(new TlsRptFailure(TlsRptResultTypes.StartTlsNotSupported, IPAddress.Parse("192.0.2.1"), "mx2.example.org"), 1),
                ]),
            new TlsRptPolicyResults(TlsRptPolicy.NoPolicy("example.org"), 4, 0, []),
        ]);

    [Fact]
    public void The_json_has_the_members_and_types_of_rfc_8460_4_4()
    {
        var report = new TlsRptReportBuilder(Options).Build(Results());
        using var document = JsonDocument.Parse(report.Json);
        var root = document.RootElement;

        Assert.Equal(["organization-name", "date-range", "contact-info", "report-id", "policies"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Example Gateway Operator", root.GetProperty("organization-name").GetString());
        Assert.Equal("2025-06-01T00:00:00Z", root.GetProperty("date-range").GetProperty("start-datetime").GetString());
        Assert.Equal("2025-06-01T23:59:59Z", root.GetProperty("date-range").GetProperty("end-datetime").GetString());
        Assert.Equal("tlsrpt-contact@gw.example.net", root.GetProperty("contact-info").GetString());
        Assert.Equal(report.ReportId, root.GetProperty("report-id").GetString());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("policies").ValueKind);

        var sts = root.GetProperty("policies")[0];
        var policy = sts.GetProperty("policy");
        Assert.Equal("sts", policy.GetProperty("policy-type").GetString());
        Assert.Equal(["version: STSv1", "mode: enforce", "mx: *.example.org", "max_age: 86400"], policy.GetProperty("policy-string").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("example.org", policy.GetProperty("policy-domain").GetString());
        Assert.Equal(["*.example.org"], policy.GetProperty("mx-host").EnumerateArray().Select(e => e.GetString()));
        var summary = sts.GetProperty("summary");
        Assert.Equal(JsonValueKind.Number, summary.GetProperty("total-successful-session-count").ValueKind);
        Assert.Equal(15, summary.GetProperty("total-successful-session-count").GetInt64());
        Assert.Equal(3, summary.GetProperty("total-failure-session-count").GetInt64());

        var details = sts.GetProperty("failure-details");
        Assert.Equal(2, details.GetArrayLength());
        var expired = details[0];
        Assert.Equal("certificate-expired", expired.GetProperty("result-type").GetString());
        Assert.Equal("192.0.2.1", expired.GetProperty("sending-mta-ip").GetString());
        Assert.Equal("mx1.example.org", expired.GetProperty("receiving-mx-hostname").GetString());
        Assert.Equal("2001:db8::25", expired.GetProperty("receiving-ip").GetString());
        Assert.Equal(JsonValueKind.Number, expired.GetProperty("failed-session-count").ValueKind);
        Assert.Equal(2, expired.GetProperty("failed-session-count").GetInt64());
        Assert.False(details[1].TryGetProperty("receiving-ip", out _));

        var none = root.GetProperty("policies")[1];
        Assert.Equal("no-policy-found", none.GetProperty("policy").GetProperty("policy-type").GetString());
        Assert.Equal(0, none.GetProperty("policy").GetProperty("policy-string").GetArrayLength());
        Assert.False(none.TryGetProperty("failure-details", out _));
    }

    [Fact]
    public void The_gzip_holds_the_json_and_the_name_follows_rfc_8460_5_1()
    {
        var report = new TlsRptReportBuilder(Options).Build(Results());

        using var gzip = new GZipStream(new MemoryStream(report.Gzip.ToArray()), CompressionMode.Decompress);
        using var json = new MemoryStream();
        gzip.CopyTo(json);
        Assert.Equal(report.Json.ToArray(), json.ToArray());
        Assert.Equal("gw.example.net!example.org!1748736000!1748822399.json.gz", report.FileName);
        Assert.Equal($"Report Domain: example.org Submitter: gw.example.net Report-ID: <{report.ReportId}>", report.Subject);
        Assert.Equal(new DateTimeOffset(2025, 6, 2, 0, 0, 0, TimeSpan.Zero), report.End);
    }

    [Fact]
    public void The_same_results_give_the_same_bytes()
    {
        var builder = new TlsRptReportBuilder(Options);

        Assert.Equal(builder.Build(Results()).Json.ToArray(), builder.Build(Results()).Json.ToArray());
    }
}
