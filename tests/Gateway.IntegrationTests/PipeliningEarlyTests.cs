using System.Net;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Peers;
using Gateway.Testing.Smtp;

namespace Gateway.IntegrationTests;

/// <summary>
/// postscreen's pipelining test on the real gateway: a client that sends MAIL FROM in the same write as its EHLO,
/// before the reply offering PIPELINING, is still served, and its message is tagged PIPELINING_EARLY.
/// </summary>
public sealed class PipeliningEarlyTests
{
    [Fact]
    public async Task A_client_that_pipelines_behind_ehlo_is_served_and_scored()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Mail.RouteToSink(sink) + "spam:\n  action: tag\n  client_checks: {pipelining: 2.5}\n");
        await using var gateway = await GatewayProcess.StartAsync(policy);

        await using var client = await SmtpTestClient.ConnectAsync(policy.SmtpEndPoint);
        await client.ExpectAsync(220);
        await client.SendRawAsync("EHLO bot.example\r\nMAIL FROM:<a@clean.test>\r\n");
        await client.ExpectAsync(250);
        await client.ExpectAsync(250);
        await client.CommandAsync("RCPT TO:<bob@example.test>", 250);
        await client.CommandAsync("DATA", 354);
        await client.CommandAsync("Message-ID: <pipelined-1@test>\r\nSubject: hi\r\n\r\nHello.\r\n.", 250);
        await client.CommandAsync("QUIT", 221);

        var delivered = Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30)));
        var status = delivered.Split('\n').Select(l => l.TrimEnd('\r')).Single(l => l.StartsWith("X-Spam-Status:", StringComparison.Ordinal));
        Assert.StartsWith("X-Spam-Status: No, score=2.5 required=5.0 tests=PIPELINING_EARLY", status, StringComparison.Ordinal);
        await gateway.WaitForLogAsync(l => l.Contains("before PIPELINING was offered", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }
}
