using System.Net;
using System.Net.Sockets;
using Gateway.Smtp.Server.Tests.Infrastructure;

namespace Gateway.Smtp.Server.Tests;

public sealed class BindTests
{
    [Fact]
    public async Task A_taken_address_is_reported_with_the_listener_name_and_address()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var taken = (IPEndPoint)holder.LocalEndpoint;

        var error = await Assert.ThrowsAsync<ListenerBindException>(() => TestServer.StartAsync(
            listener: _ => new SmtpListenerOptions { Name = "inbound", EndPoint = taken }));

        Assert.Equal("inbound", error.ListenerName);
        Assert.Equal(taken, error.EndPoint);
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketError);
        Assert.Equal($"listener inbound: cannot bind {taken}: address already in use", error.Message);
        Assert.IsType<SocketException>(error.InnerException);
    }

    [Fact]
    public void A_port_below_1024_refused_says_which_capability_it_needs()
    {
        var error = new ListenerBindException("inbound", new IPEndPoint(IPAddress.Parse("127.0.0.1"), 25), new SocketException((int)SocketError.AccessDenied));

        Assert.Equal(
            "listener inbound: cannot bind 127.0.0.1:25: permission denied (a port below 1024 needs the CAP_NET_BIND_SERVICE capability, or root)",
            error.Message);
    }

    [Fact]
    public void A_port_above_1023_refused_gives_no_capability_hint()
    {
        var error = new ListenerBindException("submission", new IPEndPoint(IPAddress.Parse("127.0.0.1"), 2587), new SocketException((int)SocketError.AccessDenied));

        Assert.Equal("listener submission: cannot bind 127.0.0.1:2587: permission denied", error.Message);
    }

    [Fact]
    public void An_address_not_on_this_machine_is_named_as_such()
    {
        var error = new ListenerBindException("inbound", new IPEndPoint(IPAddress.Parse("192.0.2.1"), 25), new SocketException((int)SocketError.AddressNotAvailable));

        Assert.Equal("listener inbound: cannot bind 192.0.2.1:25: the address is not one of this machine's", error.Message);
    }
}
