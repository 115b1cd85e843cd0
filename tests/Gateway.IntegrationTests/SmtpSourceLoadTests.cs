using System.Globalization;
using System.Net;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Peers;

namespace Gateway.IntegrationTests;

/// <summary>
/// Postfix's smtp-source as a pipelining, concurrent client, through the real gateway into smtp-sink: every
/// message is answered, queued and delivered.
/// </summary>
public sealed class SmtpSourceLoadTests
{
    [Fact]
    public async Task Twenty_concurrent_pipelining_sessions_get_every_message_delivered()
    {
        const int messages = 400;
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml:
            $"limits:\n  connections_per_ip: 100\ndelivery:\n  routes:\n    \"*\":\n      - host: 127.0.0.1\n        port: {sink.EndPoint.Port.ToString(CultureInfo.InvariantCulture)}\n");
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var (exit, output) = await ExternalTool.RunAsync(
            "smtp-source",
            [
                "-d", "-s", "20", "-m", messages.ToString(CultureInfo.InvariantCulture), "-r", "2", "-l", "2048",
                "-M", "loadclient.example.org", "-f", "load@example.org", "-t", "rcpt@example.test",
                $"127.0.0.1:{gateway.SmtpEndPoint.Port.ToString(CultureInfo.InvariantCulture)}",
            ],
            TimeSpan.FromMinutes(3));

        // Without -A, smtp-source stops at the first negative reply: exit 0 means every message got its 250.
        Assert.True(exit == 0, output);
        var delivered = await sink.WaitForMessagesAsync(messages, TimeSpan.FromSeconds(60));
        Assert.Equal(messages, delivered.Count);
        Assert.All(delivered, m => Assert.Contains("X-Mail-Args: <load@example.org>", m, StringComparison.Ordinal));
        var summaries = await gateway.WaitForLogCountAsync(
            l => l.Contains("load@example.org", StringComparison.Ordinal) && l.Contains("\"EventId\":1070,", StringComparison.Ordinal),
            messages,
            TimeSpan.FromSeconds(60));
        Assert.Equal(messages, summaries);
        Assert.False(gateway.HasExited);
    }
}
