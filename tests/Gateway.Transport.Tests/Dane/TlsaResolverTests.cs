using Gateway.Abstractions;
using Gateway.Dns;
using Gateway.Transport.Dane;
using Gateway.Transport.TlsRpt;

namespace Gateway.Transport.Tests.Dane;

public sealed class TlsaResolverTests
{
    private static readonly TlsaRecord Record = new(3, 1, 1, new byte[32]);

    [Fact]
    public void The_query_name_is_port_and_protocol_under_the_host()
    {
        Assert.Equal("_25._tcp.mx.example.org", TlsaResolver.QueryName("mx.example.org.", 25));
    }

    [Fact]
    public async Task Signed_records_are_secure()
    {
        var dns = new InMemoryDnsResolver().AddTlsa("_25._tcp.mx.example.org", Record).SetSigned("example.org");

        var result = await new TlsaResolver(dns).LookupAsync("mx.example.org", 25, mxSecure: true, CancellationToken.None);

        Assert.Equal(TlsaLookupStatus.Secure, result.Status);
        Assert.Equal([Record], result.Records);
        Assert.True(result.DaneApplies);
    }

    [Fact]
    public async Task Unsigned_records_are_insecure_and_dropped()
    {
        var dns = new InMemoryDnsResolver().AddTlsa("_25._tcp.mx.example.org", Record);

        var result = await new TlsaResolver(dns).LookupAsync("mx.example.org", 25, mxSecure: true, CancellationToken.None);

        Assert.Equal(TlsaLookupStatus.Insecure, result.Status);
        Assert.Empty(result.Records);
    }

    [Fact]
    public async Task Authenticated_denial_means_no_dane_for_the_host()
    {
        var dns = new InMemoryDnsResolver().AddA("mx.example.org", "192.0.2.1").SetSigned("example.org");

        var result = await new TlsaResolver(dns).LookupAsync("mx.example.org", 25, mxSecure: true, CancellationToken.None);

        Assert.Equal(TlsaLookupStatus.SecureNoRecords, result.Status);
    }

    [Theory]
    [InlineData(DnsStatus.ServerFailure)]
    [InlineData(DnsStatus.Timeout)]
    public async Task A_failed_lookup_under_a_secure_mx_is_a_failure_to_defer(DnsStatus status)
    {
        var dns = new InMemoryDnsResolver().SetStatus("_25._tcp.mx.example.org", status).SetSigned("example.org");

        var result = await new TlsaResolver(dns).LookupAsync("mx.example.org", 25, mxSecure: true, CancellationToken.None);

        Assert.Equal(TlsaLookupStatus.Failed, result.Status);
        Assert.Equal(TlsRptResultTypes.DnssecInvalid, result.FailureResultType);
        Assert.Contains("_25._tcp.mx.example.org", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_insecure_mx_set_makes_dane_not_applicable_without_asking()
    {
        var dns = new InMemoryDnsResolver().AddTlsa("_25._tcp.mx.example.org", Record).SetSigned("example.org");

        var result = await new TlsaResolver(dns).LookupAsync("mx.example.org", 25, mxSecure: false, CancellationToken.None);

        Assert.Equal(TlsaLookupStatus.NotApplicable, result.Status);
        Assert.Equal(0, dns.QueryCount("_25._tcp.mx.example.org"));
    }
}
