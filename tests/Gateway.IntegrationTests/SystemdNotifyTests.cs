using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing;
using Gateway.Testing.Smtp;

namespace Gateway.IntegrationTests;

/// <summary>
/// The real executable under the notification protocol systemd speaks to a Type=notify unit (sd_notify(3)): the
/// test plays systemd's side, a Unix datagram socket named by NOTIFY_SOCKET.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private readonly string _directory = TestDirectories.CreateTemp("gw-notify");
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public SystemdNotifyTests()
    {
        _socket.Bind(new UnixDomainSocketEndPoint(SocketPath));
    }

    private string SocketPath => Path.Combine(_directory, "notify");

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Ready_comes_with_the_listeners_bound_then_watchdog_pings_then_stopping_at_sigterm()
    {
        var policy = new TestPolicy();
        await using var gateway = await GatewayProcess.StartAsync(policy, new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = SocketPath,
            ["WATCHDOG_USEC"] = "400000",
        });

        var ready = await ReceiveAsync(m => m.Contains("READY=1", StringComparison.Ordinal));
        Assert.Contains($"MAINPID={gateway.Pid.ToString(CultureInfo.InvariantCulture)}", ready, StringComparison.Ordinal);
        Assert.Contains("STATUS=SMTP on ", ready, StringComparison.Ordinal);

        // Ready means ready: the SMTP listener answers at once.
        var (client, greeting) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
        await client.DisposeAsync();
        Assert.Equal(220, greeting.Code);

        // Every 0.2 s (half of WATCHDOG_USEC): a few within two seconds.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("WATCHDOG=1", await ReceiveAsync(m => m.StartsWith("WATCHDOG=", StringComparison.Ordinal)));
        }

        gateway.Signal(15);
        await ReceiveAsync(m => m == "STOPPING=1");
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Without_a_watchdog_only_ready_and_stopping_are_sent()
    {
        var policy = new TestPolicy();
        await using var gateway = await GatewayProcess.StartAsync(policy, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = SocketPath });

        var messages = new List<string> { await ReceiveAsync(_ => true) };
        gateway.Signal(15);
        messages.Add(await ReceiveAsync(_ => true));
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        Assert.StartsWith("READY=1\n", messages[0], StringComparison.Ordinal);
        Assert.Equal("STOPPING=1", messages[1]);
    }

    /// <summary>The next datagram matching <paramref name="match"/>, within 10 s; others before it are skipped.</summary>
    private async Task<string> ReceiveAsync(Func<string, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        while (true)
        {
            var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            var message = Encoding.UTF8.GetString(buffer, 0, length);
            if (match(message))
            {
                return message;
            }
        }
    }
}
