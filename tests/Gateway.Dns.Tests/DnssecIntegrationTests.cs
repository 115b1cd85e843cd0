using System.Net;
using Gateway.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Gateway.Dns.Tests;

/// <summary>
/// The resolver behind a real validating resolver (unbound on 127.0.0.1, trusting knot's signed test zones): the
/// AD bit it reports is what DANE (RFC 7672 2.1.1) rests on, so it is proven on the wire, not only in memory.
/// </summary>
public sealed class DnssecIntegrationTests(DnssecFixture fixture, ITestOutputHelper output) : IClassFixture<DnssecFixture>
{
    private DnsClientResolver Resolver(bool validating = true) =>
        new(new DnsResolverOptions { Servers = [fixture.Dns.EndPoint], Timeout = TimeSpan.FromSeconds(3), Retries = 1, DnssecValidating = validating },
            NullLogger<DnsClientResolver>.Instance);

    /// <summary>Asks knot directly (told to trust the AD bit, which an authoritative server never sets).</summary>
    private DnsClientResolver Authority() =>
        new(new DnsResolverOptions { Servers = [fixture.Dns.Authority.EndPoint], Timeout = TimeSpan.FromSeconds(3), Retries = 1, DnssecValidating = true },
            NullLogger<DnsClientResolver>.Instance);

    [Fact]
    public async Task Tlsa_of_a_signed_zone_is_authenticated_with_its_fields()
    {
        output.WriteLine($"knot + signing + unbound started in {fixture.StartTime.TotalMilliseconds:F0} ms");

        var answer = await Resolver().GetTlsaAsync("_25._tcp.mx.signed.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.True(answer.Authenticated);
        var record = Assert.Single(answer.Records);
        Assert.Equal((byte)3, record.Usage);
        Assert.Equal((byte)1, record.Selector);
        Assert.Equal((byte)1, record.MatchingType);
        Assert.Equal(DnssecFixture.TlsaDigest, record.Data.ToArray());
    }

    [Fact]
    public async Task Mx_and_address_of_a_signed_zone_are_authenticated()
    {
        var resolver = Resolver();

        var mx = await resolver.GetMxAsync("signed.test", CancellationToken.None);
        var a = await resolver.GetAAsync("mx.signed.test", CancellationToken.None);

        Assert.Equal([new MxRecord(10, "mx.signed.test")], mx.Records);
        Assert.True(mx.Authenticated);
        Assert.Equal([IPAddress.Parse("192.0.2.25")], a.Records);
        Assert.True(a.Authenticated);
    }

    [Fact]
    public async Task A_missing_tlsa_name_is_an_authenticated_nxdomain()
    {
        // RFC 7672 2.2: only a validated denial lets DANE fall back; NSEC proves this name does not exist.
        var answer = await Resolver().GetTlsaAsync("_25._tcp.nothing.signed.test", CancellationToken.None);

        Assert.Equal(DnsStatus.NxDomain, answer.Status);
        Assert.True(answer.Authenticated);
    }

    [Fact]
    public async Task Missing_tlsa_at_an_existing_host_is_authenticated_nodata()
    {
        var answer = await Resolver().GetTlsaAsync("mx.signed.test", CancellationToken.None);

        Assert.Equal(DnsStatus.NoData, answer.Status);
        Assert.True(answer.Authenticated);
    }

    [Fact]
    public async Task An_insecure_zone_answers_without_authentication()
    {
        var resolver = Resolver();

        var mx = await resolver.GetMxAsync("plain.test", CancellationToken.None);
        var tlsa = await resolver.GetTlsaAsync("_25._tcp.mx.plain.test", CancellationToken.None);

        Assert.Equal([new MxRecord(10, "mx.plain.test")], mx.Records);
        Assert.False(mx.Authenticated);
        Assert.Equal(DnsStatus.Ok, tlsa.Status);
        Assert.False(tlsa.Authenticated);
    }

    [Fact]
    public async Task A_zone_failing_validation_is_a_server_failure()
    {
        var resolver = Resolver();

        var mx = await resolver.GetMxAsync("bogus.test", CancellationToken.None);
        var tlsa = await resolver.GetTlsaAsync("_25._tcp.mx.bogus.test", CancellationToken.None);
        var unvalidated = await Authority().GetMxAsync("bogus.test", CancellationToken.None);

        // The zone itself is fine (its server answers); only the validation against the wrong anchor fails.
        Assert.Equal(DnsStatus.Ok, unvalidated.Status);

        Assert.Equal(DnsStatus.ServerFailure, mx.Status);
        Assert.Empty(mx.Records);
        Assert.False(mx.Authenticated);
        Assert.Equal(DnsStatus.ServerFailure, tlsa.Status);
    }

    [Fact]
    public async Task Without_dnssec_validating_the_ad_bit_is_ignored()
    {
        var trusted = await Resolver(validating: true).GetTlsaAsync("_25._tcp.mx.signed.test", CancellationToken.None);
        var untrusted = await Resolver(validating: false).GetTlsaAsync("_25._tcp.mx.signed.test", CancellationToken.None);

        Assert.True(trusted.Authenticated);
        Assert.Equal(DnsStatus.Ok, untrusted.Status);
        Assert.Equal(trusted.Records, untrusted.Records);
        Assert.False(untrusted.Authenticated);
    }

    [Fact]
    public async Task The_authority_alone_never_authenticates()
    {
        // knot is authoritative, not validating: it never sets AD (RFC 4035 3.1.6), so trusting it changes nothing.
        var answer = await Authority().GetTlsaAsync("_25._tcp.mx.signed.test", CancellationToken.None);

        Assert.Equal(DnsStatus.Ok, answer.Status);
        Assert.False(answer.Authenticated);
    }
}
