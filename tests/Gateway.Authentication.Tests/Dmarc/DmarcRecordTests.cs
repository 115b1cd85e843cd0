using Gateway.Authentication.Dmarc;

namespace Gateway.Authentication.Tests.Dmarc;

public sealed class DmarcRecordTests
{
    [Fact]
    public void Full_record_is_parsed()
    {
        Assert.True(DmarcRecord.TryParse(
            "v=DMARC1; p=reject; sp=quarantine; np=none; adkim=s; aspf=s; pct=25; rua=mailto:agg@example.com!10m, mailto:b@example.net; ruf=mailto:f@example.com; ri=3600; fo=1:d; rf=afrf",
            out var record));
        Assert.Equal(DmarcPolicy.Reject, record.Policy);
        Assert.Equal(DmarcPolicy.Quarantine, record.SubdomainPolicy);
        Assert.Equal(DmarcPolicy.None, record.NonExistentSubdomainPolicy);
        Assert.Equal(DmarcAlignmentMode.Strict, record.DkimAlignment);
        Assert.Equal(DmarcAlignmentMode.Strict, record.SpfAlignment);
        Assert.Equal(25, record.Percent);
        Assert.Equal(2, record.AggregateReportUris.Count);
        Assert.Equal("agg@example.com", record.AggregateReportUris[0].MailboxAddress);
        Assert.Equal(10L << 20, record.AggregateReportUris[0].MaxSize);
        Assert.Null(record.AggregateReportUris[1].MaxSize);
        Assert.Single(record.FailureReportUris);
        Assert.Equal(TimeSpan.FromHours(1), record.ReportInterval);
        Assert.Equal("1:d", record.FailureOptions);
        Assert.False(record.PolicyMissing);
    }

    [Fact]
    public void Defaults_apply_when_tags_are_absent()
    {
        Assert.True(DmarcRecord.TryParse("v=DMARC1; p=none", out var record));
        Assert.Equal(DmarcPolicy.None, record.Policy);
        Assert.Null(record.SubdomainPolicy);
        Assert.Null(record.NonExistentSubdomainPolicy);
        Assert.Equal(DmarcAlignmentMode.Relaxed, record.DkimAlignment);
        Assert.Equal(DmarcAlignmentMode.Relaxed, record.SpfAlignment);
        Assert.Equal(100, record.Percent);
        Assert.Empty(record.AggregateReportUris);
        Assert.Equal(TimeSpan.FromDays(1), record.ReportInterval);
        Assert.Equal("0", record.FailureOptions);
        Assert.Equal("afrf", record.ReportFormat);
    }

    [Theory]
    [InlineData("v=DMARC1;p=reject", DmarcPolicy.Reject)]
    [InlineData("v = DMARC1 ; p = Quarantine ;", DmarcPolicy.Quarantine)]
    [InlineData("V=dmarc1; P=REJECT", DmarcPolicy.Reject)]
    [InlineData("v=DMARC1;\tp=reject;;; ", DmarcPolicy.Reject)]
    [InlineData("v=DMARC1; p=none; t=y; psd=n; future_tag=whatever", DmarcPolicy.None)]
    [InlineData("v=DMARC1; p=reject; np=bogus", DmarcPolicy.Reject)]
    public void Lenient_syntax_is_accepted(string text, DmarcPolicy expected)
    {
        Assert.True(DmarcRecord.TryParse(text, out var record, out var error), error);
        Assert.Equal(expected, record.Policy);
    }

    [Theory]
    [InlineData("p=reject; v=DMARC1")]
    [InlineData("v=DMARC2; p=reject")]
    [InlineData("v=DMARC10; p=reject")]
    [InlineData("v=spf1 -all")]
    [InlineData("")]
    [InlineData("v=DMARC1")]
    [InlineData("v=DMARC1; p=reject; p=none")]
    [InlineData("v=DMARC1; p=reject; v=DMARC1")]
    [InlineData("v=DMARC1; p=reject; adkim=x")]
    [InlineData("v=DMARC1; p=reject; aspf=")]
    [InlineData("v=DMARC1; p=reject; pct=101")]
    [InlineData("v=DMARC1; p=reject; pct=-1")]
    [InlineData("v=DMARC1; p=reject; pct=50%")]
    [InlineData("v=DMARC1; p=reject; pct=1000")]
    [InlineData("v=DMARC1; p=reject; ri=soon")]
    [InlineData("v=DMARC1; p=reject; fo=2")]
    [InlineData("v=DMARC1; p=reject; rf=a f")]
    [InlineData("v=DMARC1; p=reject; garbage")]
    [InlineData("v=DMARC1; p=reject; =x")]
    [InlineData("v=DMARC1; p=reject; 1x=y")]
    [InlineData("v=DMARC1; p=block")]
    [InlineData("v=DMARC1; p=reject; sp=block")]
    [InlineData("v=DMARC1; sp=reject")]
    public void Invalid_records_are_refused(string text)
    {
        Assert.False(DmarcRecord.TryParse(text, out var record, out var error));
        Assert.Null(record);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("v=DMARC1; rua=mailto:r@example.com")]
    [InlineData("v=DMARC1; p=block; rua=mailto:r@example.com")]
    [InlineData("v=DMARC1; p=reject; sp=block; rua=mailto:r@example.com")]
    public void Missing_or_invalid_p_with_rua_is_p_none(string text)
    {
        // RFC 7489 6.6.3 step 6.
        Assert.True(DmarcRecord.TryParse(text, out var record));
        Assert.Equal(DmarcPolicy.None, record.Policy);
        Assert.Null(record.SubdomainPolicy);
        Assert.True(record.PolicyMissing);
    }

    [Fact]
    public void Invalid_p_with_only_invalid_rua_is_refused()
    {
        Assert.False(DmarcRecord.TryParse("v=DMARC1; rua=not a uri", out _));
    }

    [Fact]
    public void Invalid_report_uris_are_dropped_and_others_kept()
    {
        Assert.True(DmarcRecord.TryParse("v=DMARC1; p=none; rua=bogus, mailto:ok@example.com, https://r.example/dmarc, mailto:noat, mailto:x@y.com!12q", out var record));
        Assert.Equal(["mailto:ok@example.com", "https://r.example/dmarc"], record.AggregateReportUris.Select(u => u.Uri));
        Assert.True(record.AggregateReportUris[0].IsMailto);
        Assert.False(record.AggregateReportUris[1].IsMailto);
        Assert.Equal("https", record.AggregateReportUris[1].Scheme);
    }

    [Fact]
    public void Oversized_records_are_refused()
    {
        var text = "v=DMARC1; p=reject; x=" + new string('a', DmarcRecord.MaxLength);
        Assert.False(DmarcRecord.TryParse(text, out _, out var error));
        Assert.Contains("long", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v=DMARC1", true)]
    [InlineData("v=DMARC1;", true)]
    [InlineData(" v = dmarc1 ; p=none", true)]
    [InlineData("v=DMARC10", false)]
    [InlineData("v=DMARC1x; p=none", false)]
    [InlineData("x=1; v=DMARC1", false)]
    [InlineData("vv=DMARC1", false)]
    [InlineData("", false)]
    public void Version_prefix_is_recognized(string text, bool expected)
    {
        Assert.Equal(expected, DmarcRecord.IsDmarcRecord(text));
    }

    [Theory]
    [InlineData("mailto:a@example.com", null)]
    [InlineData("mailto:a@example.com!100", 100L)]
    [InlineData("mailto:a@example.com!1k", 1024L)]
    [InlineData("mailto:a@example.com!10M", 10L * 1024 * 1024)]
    [InlineData("mailto:a@example.com!2g", 2L << 30)]
    [InlineData("mailto:a@example.com!1t", 1L << 40)]
    [InlineData("mailto:a@example.com!999999999999999999t", long.MaxValue)]
    public void Report_uri_sizes_are_powers_of_two(string text, long? size)
    {
        Assert.True(DmarcReportUri.TryParse(text, out var uri));
        Assert.Equal(size, uri!.MaxSize);
    }

    [Theory]
    [InlineData("mailto:dmarc%2Breports@Example.COM?subject=x", "dmarc+reports@example.com", "example.com")]
    [InlineData(" mailto:a@bücher.de ", null, null)]
    [InlineData("MAILTO:a@xn--bcher-kva.de", "a@xn--bcher-kva.de", "xn--bcher-kva.de")]
    public void Mailto_addresses_are_decoded(string text, string? address, string? domain)
    {
        var ok = DmarcReportUri.TryParse(text, out var uri);
        Assert.Equal(address is not null, ok);
        if (ok)
        {
            Assert.Equal(address, uri!.MailboxAddress);
            Assert.Equal(domain, uri.MailboxDomain);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("example.com")]
    [InlineData("mailto:")]
    [InlineData("mailto:a@b.com!")]
    [InlineData("mailto:a@b.com!x")]
    [InlineData("mailto:a@[192.0.2.1]")]
    [InlineData("mailto:a@b.com,c@d.com")]
    [InlineData("mailto:a%0D%0Ab@b.com")]
    [InlineData("1http://x")]
    public void Malformed_report_uris_are_refused(string text)
    {
        Assert.False(DmarcReportUri.TryParse(text, out _));
    }
}
