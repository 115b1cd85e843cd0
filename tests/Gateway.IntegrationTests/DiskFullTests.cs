using System.Diagnostics;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Smtp;

namespace Gateway.IntegrationTests;

/// <summary>
/// The spool on a tiny tmpfs (mounted by the test; tests run as root, as CI does): when it fills up, clients get a
/// clean 452 4.3.1, never a 250, and the gateway keeps serving.
/// </summary>
public sealed class DiskFullTests
{
    [Fact]
    public async Task A_full_spool_answers_452_and_the_gateway_keeps_running()
    {
        var policy = new TestPolicy(extraYaml: "limits:\n  message_size: 10MiB\n");
        var state = Path.Combine(policy.Directory, "var");
        Directory.CreateDirectory(state);
        await Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", state);
        try
        {
            await using var gateway = await GatewayProcess.StartAsync(policy);
            var sawFull = false;
            for (var i = 0; i < 40 && !sawFull; i++)
            {
                var reply = await Mail.SendAsync(gateway.SmtpEndPoint, "sender@example.org", ["user@example.test"], $"full-{i}@example.org", body: new string('y', 998) + "\r\n" + string.Concat(Enumerable.Repeat(new string('z', 998) + "\r\n", 150)));
                if (reply.Code != 250)
                {
                    Assert.Equal((452, "4.3.1"), (reply.Code, reply.EnhancedCode));
                    sawFull = true;
                }
            }

            Assert.True(sawFull, "the 1 MiB spool never filled");
            var (client, greeting) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
            await using (client)
            {
                Assert.Equal(220, greeting.Code);
                Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
            }

            Assert.False(gateway.HasExited);
        }
        finally
        {
            await Run("umount", "-l", state);
        }
    }

    private static async Task Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)}: {error}");
    }
}
