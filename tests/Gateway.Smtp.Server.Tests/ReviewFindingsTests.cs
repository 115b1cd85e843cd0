using System.Net;
using System.Text;
using Gateway.Smtp.Server.Tests.Infrastructure;

namespace Gateway.Smtp.Server.Tests;

/// <summary>Defects found in the adversarial review of the session engine, one test each.</summary>
public sealed class ReviewFindingsTests
{
    [Fact]
    public async Task Implicit_tls_behind_a_proxy_keeps_a_client_hello_that_arrived_with_the_header()
    {
        await using var server = await TestServer.StartAsync(
            o => o with { Certificate = TestCertificates.Server },
            l => l with
            {
                Tls = ListenerTlsMode.Implicit,
                ProxyProtocol = ProxyProtocolMode.V1,
                TrustedProxies = [IPNetwork.Parse("127.0.0.0/8")],
            });
        await using var client = await server.ConnectAsync();

        // The balancer's header and the client's ClientHello in one segment: both land in one read.
        try
        {
            await client.UpgradeToTlsAsync(Encoding.ASCII.GetBytes("PROXY TCP4 192.0.2.10 198.51.100.1 40000 465\r\n"));
        }
        catch (Exception ex)
        {
            Assert.Fail(ex.ToString() + "\n" + server.Logs.All);
        }
        await client.ExpectAsync(220);
        await client.CommandAsync("EHLO client.example", 250);
        Assert.Equal(IPAddress.Parse("192.0.2.10"), server.Provider.Opened.Single().ClientAddress);
    }

    [Fact]
    public async Task A_tls_client_that_stops_reading_replies_does_not_keep_its_session_forever()
    {
        await using var server = await TestServer.StartAsync(o => o with
        {
            Certificate = TestCertificates.Server,
            CommandTimeout = TimeSpan.FromMilliseconds(500),
        });
        await using var client = await SmtpTestClient.ConnectAsync(server.EndPoint, receiveBufferSize: 4096);
        await client.GreetAsync();
        await client.CommandAsync("STARTTLS", 220);
        await client.UpgradeToTlsAsync();

        // Pipelined HELPs whose replies are never read: the server's sends block, its flush times out and the
        // session must end, close_notify or not.
        using var stop = new CancellationTokenSource();
        var flood = Task.Run(async () =>
        {
            var block = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("HELP\r\n", 10_000)));
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await client.SendAsync(block);
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or NotSupportedException)
            {
                // The server gave up on us: that is the point.
            }
        });

        await LimitsTests.WaitUntilAsync(() => server.Server.OpenSessions == 1);
        for (var i = 0; i < 600 && server.Server.OpenSessions != 0; i++)
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        Assert.Equal(0, server.Server.OpenSessions);
    }
}
