using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Smtp;

namespace Gateway.IntegrationTests;

/// <summary>
/// Rate limits and greylisting in the real gateway process over loopback: 421 4.7.0 for the connection over the limit,
/// 452 4.5.3 for recipients and 450 4.7.1 for messages over theirs, and greylisting's 450 then acceptance after the delay,
/// with the network allowed afterwards, also after a restart (the greylist is kept in the state directory).
/// </summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task The_connection_over_the_limit_is_answered_421_4_7_0_and_closed()
    {
        var policy = new TestPolicy(extraYaml: "rate_limits:\n  per_client: {connections: 3, window: 1h}\n");
        await using var gateway = await GatewayProcess.StartAsync(policy);

        for (var i = 0; i < 3; i++)
        {
            var (client, greeting) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
            await using (client)
            {
                Assert.Equal(220, greeting.Code);
                await client.CommandAsync("QUIT", 221);
            }
        }

        var (refused, answer) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
        await using (refused)
        {
            Assert.Equal(421, answer.Code);
            Assert.Equal("4.7.0", answer.EnhancedCode);
            Assert.True(await refused.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        }

        var logged = await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":3120,", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Contains("connections", logged, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = policy.AdminUri };
        var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Contains("gateway_rate_limited_total{scope=\"client\",measure=\"connections\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recipients_over_the_limit_get_452_4_5_3_and_messages_over_theirs_450_4_7_1()
    {
        var policy = new TestPolicy(extraYaml: "rate_limits:\n  window: 1h\n  per_client: {messages: 2, recipients: 3}\n");
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var (client, greeting) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
        await using (client)
        {
            Assert.Equal(220, greeting.Code);
            await client.CommandAsync("EHLO client.sender.test", 250);
            await client.CommandAsync("MAIL FROM:<someone@sender.test>", 250);
            foreach (var name in new[] { "a", "b", "c" })
            {
                await client.CommandAsync($"RCPT TO:<{name}@example.test>", 250);
            }

            var over = await client.CommandAsync("RCPT TO:<d@example.test>");
            Assert.Equal((452, "4.5.3"), (over.Code, over.EnhancedCode));

            // The three accepted recipients are not lost for the fourth.
            await client.CommandAsync("DATA", 354);
            await client.CommandAsync("From: <someone@sender.test>\r\nSubject: three\r\n\r\nhello\r\n.", 250);

            await client.CommandAsync("MAIL FROM:<someone@sender.test>", 250);
            await client.CommandAsync("RSET", 250);
            var tooMany = await client.CommandAsync("MAIL FROM:<someone@sender.test>");
            Assert.Equal((450, "4.7.1"), (tooMany.Code, tooMany.EnhancedCode));
        }
    }

    [Fact]
    public async Task Greylisting_answers_450_then_accepts_the_retry_after_the_delay_and_remembers_the_network_across_a_restart()
    {
        // A delay of seconds, not one: the second attempt must land inside it even while the rest of the suite loads
        // the machine (with 1 s it once came after the delay and was accepted).
        var policy = new TestPolicy(extraYaml: "greylisting:\n  delay: 3s\n  retry_window: 1h\n");
        var gateway = await GatewayProcess.StartAsync(policy);
        try
        {
            var first = await RecipientReplyAsync(policy, "news@sender.test", "alice@example.test");
            Assert.Equal((450, "4.7.1"), (first.Code, first.EnhancedCode));
            Assert.StartsWith("4.7.1 Greylisted", first.Last, StringComparison.Ordinal);
            Assert.Equal(450, (await RecipientReplyAsync(policy, "news@sender.test", "alice@example.test")).Code);

            await Task.Delay(TimeSpan.FromSeconds(3.5));
            var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(policy.SmtpEndPoint);
            await using (client)
            {
                await client.CommandAsync("EHLO client.sender.test", 250);
                await client.CommandAsync("MAIL FROM:<news@sender.test>", 250);
                await client.CommandAsync("RCPT TO:<alice@example.test>", 250);
                await client.CommandAsync("DATA", 354);
                await client.CommandAsync("From: <news@sender.test>\r\nSubject: retried\r\n\r\nhello\r\n.", 250);
            }

            // The network passed a retry: another sender and recipient from it are not greylisted.
            Assert.Equal(250, (await RecipientReplyAsync(policy, "other@elsewhere.test", "bob@example.test")).Code);
            await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":3121,", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
            await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":3122,", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        }
        finally
        {
            await gateway.DisposeAsync();
        }

        Assert.True(File.Exists(Path.Combine(policy.Directory, "var", "greylist", "greylist.json")));
        await using var restarted = await GatewayProcess.StartAsync(policy);
        Assert.Equal(250, (await RecipientReplyAsync(policy, "third@another.test", "carol@example.test")).Code);
    }

    private static async Task<SmtpResponse> RecipientReplyAsync(TestPolicy policy, string from, string to)
    {
        var (client, greeting) = await SmtpTestClient.ConnectAndGreetAsync(policy.SmtpEndPoint);
        await using var _ = client;
        Assert.Equal(220, greeting.Code);
        await client.CommandAsync("EHLO client.sender.test", 250);
        await client.CommandAsync($"MAIL FROM:<{from}>", 250);
        var reply = await client.CommandAsync($"RCPT TO:<{to}>");
        await client.SendRawAsync("QUIT\r\n");
        return reply;
    }
}
