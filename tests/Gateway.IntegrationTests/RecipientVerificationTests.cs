using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Peers;
using Gateway.Testing.Smtp;

namespace Gateway.IntegrationTests;

/// <summary>
/// Recipient verification with the real gateway process: from a list file, from a real slapd, and by call-ahead to a
/// real Postfix smtpd as the internal server. Unknown users of our domain are refused at RCPT with 550 5.1.1, so
/// nothing is accepted that the internal server would refuse and no failure notice goes to a forged sender; a source
/// that cannot answer gets 451 4.4.3; refusals count toward the error limit, so harvesting addresses ends in 421; an
/// edited list applies without a restart; the internal server's EHLO SIZE holds senders to its limit at RCPT.
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

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ldap_known_users_get_250_unknown_ones_550_5_1_1_and_a_stopped_directory_451_4_4_3()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        await using var ldap = await Slapd.StartAsync();
        foreach (var name in new[] { "alice", "bob" })
        {
            await ldap.AddAsync($"dn: cn={name},{ldap.Suffix}\nobjectClass: inetOrgPerson\ncn: {name}\nsn: {name}\nmail: {name}@example.test\n");
        }

        var policy = new TestPolicy();
        var password = Path.Combine(policy.Directory, "ldap.secret");
        await File.WriteAllTextAsync(password, Slapd.Password + "\n");
        policy.ExtraYaml = Mail.RouteToSink(sink) +
            "recipients:\n  example.test:\n    ldap:\n" +
            $"      servers: [\"{ldap.Uri}\"]\n      base_dn: \"{ldap.Suffix}\"\n      bind_dn: \"{ldap.RootDn}\"\n      bind_password_file: {password}\n" +
            "      filter: \"(&(objectClass=inetOrgPerson)(mail={0}))\"\n      timeout: 2s\n";
        policy.Write();
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
        await using (client)
        {
            Assert.Equal(250, (await client.CommandAsync("EHLO client.sender.test")).Code);
            Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<someone@sender.test>")).Code);
            Assert.Equal(250, (await client.CommandAsync("RCPT TO:<Alice@example.test>")).Code);
            AssertReply(550, "5.1.1", await client.CommandAsync("RCPT TO:<mallory@example.test>"));

            // Escaped per RFC 4515: "*" matches no one instead of everyone.
            AssertReply(550, "5.1.1", await client.CommandAsync("RCPT TO:<*@example.test>"));
            Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
            Assert.Equal(250, (await client.CommandAsync("From: <someone@sender.test>\r\nSubject: hi\r\n\r\nhello\r\n.")).Code);
        }

        var delivered = Assert.Single(await sink.WaitForMessagesAsync(1, Patience));
        Assert.Contains("alice@example.test", delivered, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("mallory", delivered, StringComparison.Ordinal);

        // The directory goes away: an address not answered before is told to come back later, never accepted and
        // never refused for good; one found before is still known from the cache.
        await ldap.StopAsync();
        var (during, _) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
        await using (during)
        {
            await during.CommandAsync("EHLO client.sender.test");
            await during.CommandAsync("MAIL FROM:<someone@sender.test>");
            AssertReply(451, "4.4.3", await during.CommandAsync("RCPT TO:<bob@example.test>"));
            Assert.Equal(250, (await during.CommandAsync("RCPT TO:<alice@example.test>")).Code);
        }

        await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":3140,", StringComparison.Ordinal) && l.Contains("bob@example.test", StringComparison.Ordinal), Patience);

        // Back again: the kept connection is stale, a new one answers.
        await ldap.ResumeAsync();
        var (after, _) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
        await using (after)
        {
            await after.CommandAsync("EHLO client.sender.test");
            await after.CommandAsync("MAIL FROM:<someone@sender.test>");
            Assert.Equal(250, (await after.CommandAsync("RCPT TO:<bob@example.test>")).Code);
        }
    }

    [Fact]
    public async Task Call_ahead_asks_the_internal_postfix_learns_its_SIZE_and_an_unknown_user_never_becomes_a_message_or_a_notice()
    {
        // The internal server: a stock Postfix that knows alice only (relay_recipient_maps) and takes 10 240 000 octets.
        await using var postfix = await PostfixServer.StartAsync(
            IPAddress.Loopback,
            extraMainCf: "relay_domains = example.test\nrelay_recipient_maps = inline:{ alice@example.test=ok }\n");
        var policy = new TestPolicy
        {
            ExtraYaml =
                $"delivery:\n  routes:\n    example.test:\n      - host: 127.0.0.1\n        port: {postfix.EndPoint.Port.ToString(CultureInfo.InvariantCulture)}\n" +
                "recipients:\n  example.test:\n    call_ahead:\n      timeout: 5s\n",
        };
        policy.Write();
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
        await using (client)
        {
            Assert.Equal(250, (await client.CommandAsync("EHLO client.sender.test")).Code);

            // Within the gateway's own 35 MiB, over the internal server's limit, learned by this very RCPT's check.
            Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<victim@forged.test> SIZE=20000000")).Code);
            AssertReply(552, "5.3.4", await client.CommandAsync("RCPT TO:<alice@example.test>"));
            Assert.Equal(250, (await client.CommandAsync("RSET")).Code);

            // The backscatter case: a forged sender, an unknown user. Refused now, by the internal server's own verdict.
            Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<victim@forged.test> SIZE=2000")).Code);
            AssertReply(550, "5.1.1", await client.CommandAsync("RCPT TO:<mallory@example.test>"));
            Assert.Equal(250, (await client.CommandAsync("RCPT TO:<alice@example.test>")).Code);
            Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
            Assert.Equal(250, (await client.CommandAsync("From: <victim@forged.test>\r\nSubject: hi\r\n\r\nhello\r\n.")).Code);

            // Only the forged sender's unknown user: nothing at all is accepted.
            Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<victim@forged.test>")).Code);
            AssertReply(550, "5.1.1", await client.CommandAsync("RCPT TO:<nobody@example.test>"));
            Assert.Equal(554, (await client.CommandAsync("DATA")).Code);
        }

        // alice's message reached the internal server; nothing for mallory or nobody ever did.
        var deadline = DateTime.UtcNow + Patience;
        while ((await postfix.FindAsync("alice@example.test")).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the message for alice never reached the internal server:\n" + postfix.Log());
            await Task.Delay(200);
        }

        Assert.Empty(await postfix.FindAsync("mallory@example.test"));
        Assert.Empty(await postfix.FindAsync("nobody@example.test"));
        Assert.Contains("User unknown in relay recipient table", postfix.Log(), StringComparison.Ordinal);

        // No queued message is left and no failure notice was ever made for the forged sender.
        var queue = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "queue", "list", "--config", policy.MainFile);
        Assert.DoesNotContain("@", queue.StdOut, StringComparison.Ordinal);
        var trace = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--to", "victim@forged.test", "--config", policy.MainFile);
        Assert.DoesNotContain("victim@forged.test", trace.StdOut, StringComparison.Ordinal);

        // What became of mail for the unknown user has an answer in the trace too: refused at RCPT, by whom and why.
        var refused = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--to", "mallory@example.test", "--config", policy.MainFile);
        Assert.Contains("refused from=<victim@forged.test> to=mallory@example.test remote=127.0.0.1 reply=\"550 5.1.1", refused.StdOut, StringComparison.Ordinal);
        Assert.Contains("(at RCPT TO, helo ", refused.StdOut, StringComparison.Ordinal);
        await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":3143,", StringComparison.Ordinal) && l.Contains("10240000", StringComparison.Ordinal), Patience);
    }

    [Fact]
    public async Task A_message_over_the_domain_s_max_message_size_gets_552_5_3_4_at_the_end_of_data_and_is_not_queued()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy { ExtraYaml = Mail.RouteToSink(sink) + "recipients:\n  example.test:\n    max_message_size: 4KiB\n" };
        policy.Write();
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var big = await Mail.SendAsync(gateway.SmtpEndPoint, "someone@sender.test", ["alice@example.test", "bob@ours.test"], "big@sender.test", new string('x', 70) + "\r\n" + string.Concat(Enumerable.Repeat(new string('y', 70) + "\r\n", 80)));
        AssertReply(552, "5.3.4", big);

        // The trace gives the size the client sent, not the part of it stored before the limit was reached.
        var trace = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--to", "alice@example.test", "--config", policy.MainFile);
        var refused = Assert.Single(trace.StdOut.Split('\n'), l => l.Contains(" refused ", StringComparison.Ordinal) && l.Contains("552 5.3.4", StringComparison.Ordinal));
        var size = long.Parse(Regex.Match(refused, @"size=(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(size > 80 * 72, refused);

        // A domain without a limit of its own still takes the same message.
        var elsewhere = await Mail.SendAsync(gateway.SmtpEndPoint, "someone@sender.test", ["bob@ours.test"], "big2@sender.test", string.Concat(Enumerable.Repeat(new string('y', 70) + "\r\n", 80)));
        Assert.Equal(250, elsewhere.Code);

        var small = await Mail.SendAsync(gateway.SmtpEndPoint, "someone@sender.test", ["alice@example.test"], "small@sender.test");
        Assert.Equal(250, small.Code);
        var delivered = Assert.Single(await sink.WaitForMessagesAsync(1, Patience));
        Assert.Contains("small@sender.test", delivered, StringComparison.Ordinal);
    }

    private static void AssertReply(int code, string enhancedCode, SmtpResponse reply)
    {
        Assert.True(reply.Code == code && reply.Text.Contains(enhancedCode, StringComparison.Ordinal), $"expected {code} {enhancedCode}, got {reply}");
    }
}
