using System.Net;
using Gateway.Host.Hosting;
using Gateway.Policy;

namespace Gateway.Tests;

public sealed class DnsSettingsTests
{
    private static GatewayPolicy With(DnsPolicy dns) => new()
    {
        HostName = "mx.example.test",

        // Never touched: DnsSettings reads only the dns section.
        StateDirectory = "/nonexistent",
        Listeners = [new ListenerPolicy { Name = "inbound", EndPoint = new IPEndPoint(IPAddress.Loopback, 2525) }],
        Dns = dns,
    };

    [Fact]
    public void Validating_policy_makes_the_resolver_trust_the_ad_bit()
    {
        var servers = new[] { new IPEndPoint(IPAddress.Loopback, 53) };

        var options = DnsSettings.For(With(new DnsPolicy { Servers = servers, Timeout = TimeSpan.FromSeconds(2), Dnssec = DnssecMode.Validating }));

        Assert.True(options.DnssecValidating);
        Assert.Equal(servers, options.Servers);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Timeout);
    }

    [Fact]
    public void Off_and_the_default_do_not()
    {
        Assert.False(DnsSettings.For(With(new DnsPolicy { Dnssec = DnssecMode.Off })).DnssecValidating);
        Assert.False(DnsSettings.For(With(new DnsPolicy())).DnssecValidating);
    }
}
