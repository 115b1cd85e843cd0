using System.Net;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Peers;
using Gateway.Testing.Smtp;

namespace Gateway.IntegrationTests;

/// <summary>
/// Recipient verification from a list file: unknown users of our domain are refused at RCPT with 550 5.1.1, so nothing
/// is accepted that the internal server would refuse and no failure notice goes to a forged sender; refusals count
/// toward the error limit, so harvesting addresses ends in 421; an edited list applies without a restart.
/// </summary>
public sealed class RecipientVerificationTests
{
    [Fact]
    public async Task Unknown_users_are_refused_at_rcpt_known_ones_and_postmaster_delivered_and_harvesting_ends_in_421()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy();
        var list = Path.Combine(policy.Directory, "example.test.txt");
        await File.WriteAllTextAsync(list, "alice@example.test\n");
        policy.ExtraYaml = Mail.RouteToSink(sink) + $"limits:\n  errors: 3\nrecipients:\n  example.test:\n    file: {list}\n";
        policy.Write();
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var (client, greeting) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
        await using (client)
        {
            Assert.Equal(220, greeting.Code);
            Assert.Equal(250, (await client.CommandAsync("EHLO client.sender.test")).Code);
            Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<someone@sender.test>")).Code);
            var unknown = await client.CommandAsync("RCPT TO:<mallory@example.test>");
            Assert.Equal(550, unknown.Code);
            Assert.Contains("5.1.1", unknown.Text, StringComparison.Ordinal);
            Assert.Equal(250, (await client.CommandAsync("RCPT TO:<Alice@example.test>")).Code);
            Assert.Equal(250, (await client.CommandAsync("RCPT TO:<postmaster@example.test>")).Code);
            Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
            Assert.Equal(250, (await client.CommandAsync("From: <someone@sender.test>\r\nSubject: hi\r\n\r\nhello\r\n.")).Code);
        }

        var delivered = Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain("mallory", delivered, StringComparison.Ordinal);

        var (harvester, _) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
        await using (harvester)
        {
            await harvester.CommandAsync("EHLO harvester.test");
            await harvester.CommandAsync("MAIL FROM:<>");
            var replies = new List<int>();
            foreach (var name in new[] { "a", "b", "c", "d" })
            {
                replies.Add((await harvester.CommandAsync($"RCPT TO:<{name}@example.test>")).Code);
                if (replies[^1] == 421)
                {
                    break;
                }
            }

            Assert.Equal(421, replies[^1]);
        }

        // The list is watched like the policy: a new colleague is accepted without a restart.
        await File.WriteAllTextAsync(list, "alice@example.test\nmallory@example.test\n");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var reply = await Mail.SendAsync(gateway.SmtpEndPoint, "someone@sender.test", ["mallory@example.test"], "new-colleague@sender.test");
            if (reply.Code == 250)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the edited list was not applied: " + reply);
            await Task.Delay(200);
        }
    }
}
