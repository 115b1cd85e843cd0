using System.Globalization;
using Gateway.IntegrationTests.Fixtures;

namespace Gateway.IntegrationTests;

/// <summary>Postfix's smtp-source as a pipelining, concurrent client: the gateway answers every transaction and stays up.</summary>
public sealed class SmtpSourceLoadTests
{
    [Fact]
    public async Task Twenty_concurrent_pipelining_sessions_get_an_answer_for_every_message()
    {
        const int messages = 400;
        var policy = new TestPolicy(extraYaml: "limits:\n  connections_per_ip: 100\n");
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var (exit, output) = await ExternalTool.RunAsync(
            "smtp-source",
            [
                "-A", "-d", "-s", "20", "-m", messages.ToString(CultureInfo.InvariantCulture), "-r", "2", "-l", "2048",
                "-M", "loadclient.example.org", "-f", "load@example.org", "-t", "rcpt@example.test",
                $"127.0.0.1:{gateway.SmtpEndPoint.Port.ToString(CultureInfo.InvariantCulture)}",
            ],
            TimeSpan.FromMinutes(3));
        Assert.True(exit == 0, output);

        // One summary line per transaction, every one answered 451 (no spool yet), none lost or double-counted.
        await Task.Delay(500);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        int answered;
        do
        {
            answered = gateway.StandardOutput.Count(l => l.Contains("load@example.org", StringComparison.Ordinal) && l.Contains("451", StringComparison.Ordinal));
            if (answered >= messages)
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(messages, answered);
        Assert.False(gateway.HasExited);
    }
}
