using Gateway.Dns;
using Gateway.Transport.TlsRpt;

namespace Gateway.Transport.Tests.TlsRpt;

public sealed class TlsRptRecordTests
{
    [Theory]
    [InlineData("v=TLSRPTv1; rua=mailto:tlsrpt@example.org", "mailto:tlsrpt@example.org")]
    [InlineData("v=TLSRPTv1;rua=https://reports.example.org/v1", "https://reports.example.org/v1")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@example.org,https://r.example.org/x", "mailto:a@example.org https://r.example.org/x")]
    [InlineData("v=TLSRPTv1 ; rua=mailto:a@example.org , https://r.example.org/x ;", "mailto:a@example.org https://r.example.org/x")]
    [InlineData("v=TLSRPTv1; ext_1=value; rua=mailto:a@example.org", "mailto:a@example.org")]
    [InlineData("v=TLSRPTv1; rua=http://insecure.example.org/,mailto:a@example.org", "mailto:a@example.org")]
    public void Valid_records_give_their_mailto_and_https_destinations(string text, string expected)
    {
        var record = TlsRptRecord.Parse(text);

        Assert.NotNull(record);
        Assert.Equal(expected.Split(' '), record.ReportUris.Select(u => u.OriginalString));
    }

    [Theory]
    [InlineData("v=TLSRPTv1")]
    [InlineData("v=TLSRPTv1;")]
    [InlineData("v=tlsrptv1; rua=mailto:a@example.org")]
    [InlineData("v=TLSRPTv2; rua=mailto:a@example.org")]
    [InlineData("v=TLSRPTv1; rua=ftp://example.org/")]
    [InlineData("v=TLSRPTv1; rua=http://example.org/")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@example.org; rua=mailto:b@example.org")]
    [InlineData("v=TLSRPTv1;; rua=mailto:a@example.org")]
    [InlineData("v=TLSRPTv1; garbage")]
    [InlineData("rua=mailto:a@example.org; v=TLSRPTv1")]
    [InlineData("v=spf1 -all")]
    public void Invalid_records_are_none(string text)
    {
        Assert.Null(TlsRptRecord.Parse(text));
    }

    [Fact]
    public void Exactly_one_tlsrpt_record_among_the_txt_records_counts()
    {
        Assert.NotNull(TlsRptRecord.FromTxt(["v=spf1 -all", "v=TLSRPTv1; rua=mailto:a@example.org"]));
        Assert.Null(TlsRptRecord.FromTxt(["v=TLSRPTv1; rua=mailto:a@example.org", "v=TLSRPTv1; rua=mailto:b@example.org"]));
        Assert.Null(TlsRptRecord.FromTxt(["v=spf1 -all"]));
    }

    [Fact]
    public async Task The_record_is_looked_up_under_smtp_tls()
    {
        var dns = new InMemoryDnsResolver().AddTxt("_smtp._tls.example.org", "v=TLSRPTv1; rua=mailto:tlsrpt@example.org");

        var record = await new TlsRptRecordLookup(dns).LookupAsync("example.org", CancellationToken.None);

        Assert.Equal("mailto:tlsrpt@example.org", Assert.Single(record!.ReportUris).OriginalString);
        Assert.Null(await new TlsRptRecordLookup(dns).LookupAsync("other.test", CancellationToken.None));
    }
}
