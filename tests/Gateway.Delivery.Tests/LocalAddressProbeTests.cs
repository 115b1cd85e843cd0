using System.Net;
using System.Net.NetworkInformation;
using Gateway.Delivery.Routing;

namespace Gateway.Delivery.Tests;

public sealed class LocalAddressProbeTests
{
    [Fact]
    public void LoopbackAndTheMachinesOwnAddressesAreLocal()
    {
        var probe = new LocalAddressProbe();
        Assert.True(probe.IsLocal(IPAddress.Loopback));
        Assert.True(probe.IsLocal(IPAddress.Parse("127.0.0.2")));

        // Every IPv4 address an interface reports is ours (the probe itself never reads that list).
        var own = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            .ToList();
        Assert.NotEmpty(own);
        Assert.All(own, a => Assert.True(probe.IsLocal(a), a + " should be local"));
    }

    [Fact]
    public void AddressesOfOtherHostsAreNotLocal()
    {
        var probe = new LocalAddressProbe();
        Assert.False(probe.IsLocal(IPAddress.Parse("198.51.100.7")));
        Assert.False(probe.IsLocal(IPAddress.Parse("203.0.113.25")));
        Assert.False(probe.IsLocal(IPAddress.Parse("2001:db8::25")));
    }
}
