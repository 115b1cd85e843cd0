using System.Net;
using Gateway.Smtp.Server.Tests.Infrastructure;

namespace Gateway.Smtp.Server.Tests;

public sealed class ProxyProtocolTests
{
    private static Task<TestServer> StartAsync(ProxyProtocolMode mode, string trusted = "127.0.0.0/8") =>
        TestServer.StartAsync(listener: l => l with { ProxyProtocol = mode, TrustedProxies = [IPNetwork.Parse(trusted)] });

    [Fact]
    public async Task A_v1_header_from_a_trusted_peer_sets_the_client()
    {
        await using var server = await StartAsync(ProxyProtocolMode.V1);
        await using var client = await server.ConnectAsync();

        await client.SendRawAsync("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\n");
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);

        var facts = server.Handler.MailFacts.Single();
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 40000), facts.RemoteEndPoint);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 25), facts.LocalEndPoint);
        Assert.True(facts.ViaProxyProtocol);
        Assert.Equal(IPAddress.Parse("192.0.2.10"), server.Provider.Opened.Single().ClientAddress);
    }

    [Fact]
    public async Task A_v2_header_from_a_trusted_peer_sets_the_client_and_smtp_may_follow_in_the_same_write()
    {
        await using var server = await StartAsync(ProxyProtocolMode.Any);
        await using var client = await server.ConnectAsync();

        byte[] header =
        [
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
            0x21, // version 2, PROXY
            0x11, // AF_INET, STREAM
            0x00, 0x0C,
            203, 0, 113, 7, // source
            198, 51, 100, 1, // destination
            0x9C, 0x40, // 40000
            0x00, 0x19, // 25
        ];
        await client.SendRawAsync(header);
        await client.GreetAsync();
        await client.CommandAsync("MAIL FROM:<a@x.example>", 250);

        var facts = server.Handler.MailFacts.Single();
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40000), facts.RemoteEndPoint);
        Assert.True(facts.ViaProxyProtocol);
    }

    [Fact]
    public async Task A_peer_outside_the_trusted_proxies_is_closed_without_a_word()
    {
        await using var server = await StartAsync(ProxyProtocolMode.V1, trusted: "10.0.0.0/8");
        await using var client = await server.ConnectAsync();

        await client.SendRawAsync("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\n");

        Assert.True(await client.IsClosedAsync());
        Assert.Empty(server.Provider.Opened);
        Assert.True(server.Logs.Has(1030));
    }

    [Fact]
    public async Task An_invalid_header_closes_the_connection()
    {
        await using var server = await StartAsync(ProxyProtocolMode.V1);
        await using var client = await server.ConnectAsync();

        await client.SendRawAsync("EHLO not-a-proxy-header\r\n");

        Assert.True(await client.IsClosedAsync());
        Assert.Empty(server.Provider.Opened);
        Assert.True(server.Logs.Has(1031));
    }

    [Fact]
    public async Task A_v2_header_is_refused_on_a_v1_listener()
    {
        await using var server = await StartAsync(ProxyProtocolMode.V1);
        await using var client = await server.ConnectAsync();

        await client.SendRawAsync([0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00]);

        Assert.True(await client.IsClosedAsync());
        Assert.Empty(server.Provider.Opened);
    }

    [Fact]
    public async Task A_local_command_keeps_the_socket_addresses()
    {
        await using var server = await StartAsync(ProxyProtocolMode.V2);
        await using var client = await server.ConnectAsync();

        // LOCAL (health check from the balancer itself): no addresses carried.
        await client.SendRawAsync([0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00]);
        await client.GreetAsync();

        var facts = server.Provider.Opened.Single();
        Assert.False(facts.ViaProxyProtocol);
        Assert.Equal(IPAddress.Loopback, facts.ClientAddress);
    }

    [Fact]
    public async Task Per_client_limits_count_the_carried_address_not_the_balancer()
    {
        await using var server = await TestServer.StartAsync(
            o => o with { MaxConnectionsPerClient = 1 },
            l => l with { ProxyProtocol = ProxyProtocolMode.V1, TrustedProxies = [IPNetwork.Parse("127.0.0.0/8")] });

        await using var first = await server.ConnectAsync();
        await first.SendRawAsync("PROXY TCP4 192.0.2.1 198.51.100.1 40000 25\r\n");
        await first.ExpectAsync(220);
        await using var second = await server.ConnectAsync();
        await second.SendRawAsync("PROXY TCP4 192.0.2.2 198.51.100.1 40001 25\r\n");
        await second.ExpectAsync(220);
        await using var third = await server.ConnectAsync();
        await third.SendRawAsync("PROXY TCP4 192.0.2.1 198.51.100.1 40002 25\r\n");
        await third.ExpectAsync(421, "4.7.0");
    }
}
