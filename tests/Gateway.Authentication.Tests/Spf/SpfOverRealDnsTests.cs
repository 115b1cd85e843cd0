using System.Globalization;
using System.Net;
using Gateway.Authentication.Spf;
using Gateway.Dns;
using Gateway.Testing.Peers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Authentication.Tests.Spf;

/// <summary>SPF through the real resolver against knot on 127.0.0.1: split TXT strings, TCP for a long record, exp.</summary>
public sealed class SpfOverRealDnsTests : IAsyncLifetime
{
    private KnotDns _knot = null!;

    public async Task InitializeAsync()
    {
        // 40 ip4 terms: over 512 octets, so with plain UDP the record only arrives over TCP.
        var longRecord = string.Concat(Enumerable.Range(0, 40).Select(i => "\"ip4:198.18." + i.ToString(CultureInfo.InvariantCulture) + ".0/24 \" "));
        var zone = string.Join('\n',
            "@ TXT \"v=spf1 \" \"ip4:192.0.2.0/24 \" \"include:_spf.example.test exp=why.%{d} -all\"",
            "_spf TXT \"v=spf1 a:mx.example.test mx:example.test -all\"",
            "@ MX 10 mx2",
            "mx A 198.51.100.7",
            "mx2 AAAA 2001:db8::25",
            "why TXT \"%{i} may not send for %{d}\"",
            $"big TXT \"v=spf1 \" {longRecord} \"ip4:203.0.113.9 -all\"",
            "broken TXT \"v=spf1 ip4:192.0.2.300 -all\"");
        _knot = await KnotDns.StartAsync(new Dictionary<string, string> { ["example.test"] = zone });
    }

    public async Task DisposeAsync() => await _knot.DisposeAsync();

    private SpfVerifier Verifier() => new(new DnsClientResolver(
        new DnsResolverOptions { Servers = [_knot.EndPoint], Timeout = TimeSpan.FromSeconds(3), Retries = 1, UdpPayloadSize = 512 },
        NullLogger<DnsClientResolver>.Instance));

    [Theory]
    [InlineData("192.0.2.44", "example.test", SpfResult.Pass, "ip4:192.0.2.0/24")]
    [InlineData("198.51.100.7", "example.test", SpfResult.Pass, "include:_spf.example.test")]
    [InlineData("2001:db8::25", "example.test", SpfResult.Pass, "include:_spf.example.test")]
    [InlineData("203.0.113.1", "example.test", SpfResult.Fail, "-all")]
    [InlineData("203.0.113.9", "big.example.test", SpfResult.Pass, "ip4:203.0.113.9")]
    [InlineData("203.0.113.9", "broken.example.test", SpfResult.PermError, null)]
    [InlineData("203.0.113.9", "nothing.example.test", SpfResult.None, null)]
    public async Task Records_served_by_knot_give_the_expected_result(string client, string domain, SpfResult expected, string? mechanism)
    {
        var check = await Verifier().VerifyMailFromAsync(IPAddress.Parse(client), "h.example.net", "user@" + domain, CancellationToken.None);

        Assert.Equal(expected, check.Result);
        if (mechanism is not null)
        {
            Assert.Equal(mechanism, check.Mechanism);
        }
    }

    [Fact]
    public async Task Fail_carries_the_expanded_explanation()
    {
        var check = await Verifier().VerifyMailFromAsync(IPAddress.Parse("203.0.113.1"), "h.example.net", "user@example.test", CancellationToken.None);

        Assert.Equal("203.0.113.1 may not send for example.test", check.Explanation);
    }
}
