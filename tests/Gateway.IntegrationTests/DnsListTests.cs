using System.Globalization;
using System.Net;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Peers;

namespace Gateway.IntegrationTests;

/// <summary>
/// DNS block and allow lists on the real gateway: a knot server on 127.0.0.1 serves a DNSBL listing 127.0.0.2 (the
/// RFC 5782 test entry), a DNSWL listing 127.0.0.3, a domain list and a URI list; swaks connects from those loopback
/// addresses, and smtp-sink stands for the internal server.
/// </summary>
public sealed class DnsListTests
{
    private const string Lists =
        "spam:\n" +
        "  action: tag\n" +
        "  dnsbl:\n" +
        "    - {zone: zen.example.test, weight: 3.0, codes: [127.0.0.2, 127.0.0.3]}\n" +
        "    - {zone: wl.example.test, weight: -2.0}\n" +
        "  domain_lists:\n" +
        "    - {zone: dbl.example.test, weight: 2.5, check: [sender, helo]}\n" +
        "  uri_lists:\n" +
        "    - {zone: uri.example.test, weight: 2.5}\n" +
        "  client_checks: {helo_invalid: 1.0}\n" +
        "  reject_score: 6\n" +
        "  lookup_timeout: 2s\n";

    [Fact]
    public async Task Listed_clients_and_links_are_tagged_allow_listed_clients_score_less_and_enough_before_data_is_refused_at_rcpt()
    {
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string>
        {
            // 127.0.0.4 answers a code the entry does not count: it must not be a listing.
            ["zen.example.test"] = "2.0.0.127 A 127.0.0.2\n4.0.0.127 A 127.0.0.10\n",
            ["wl.example.test"] = "3.0.0.127 A 127.0.10.2\n",
            ["dbl.example.test"] = "spammer.test A 127.0.1.2\n",
            ["uri.example.test"] = "bad-links.test A 127.0.0.2\n",
        });
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Mail.RouteToSink(sink) + Lists, dnsServer: dns.EndPoint);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        // Listed (3) with a listed link domain (2.5): 5.5 after DATA, below reject_score before it.
        var (tagged, taggedOutput) = await SwaksAsync(policy, "127.0.0.2", "mail.client.test", "a@clean.test", "dnsbl-1", "Offer: https://www.bad-links.test/buy now");
        Assert.True(tagged == 0, taggedOutput);

        // Allow-listed: -2.
        var (allowed, allowedOutput) = await SwaksAsync(policy, "127.0.0.3", "mail.friend.test", "ok@friend.test", "dnswl-1", "Minutes attached.");
        Assert.True(allowed == 0, allowedOutput);

        // An answer outside the entry's codes: no listing.
        var (other, otherOutput) = await SwaksAsync(policy, "127.0.0.4", "mail.other.test", "ok@other.test", "other-1", "Hello.");
        Assert.True(other == 0, otherOutput);

        // Listed (3) + listed sender domain (2.5) + invalid HELO (1) = 6.5 before DATA: refused at RCPT, naming the zones.
        var (refused, refusedOutput) = await SwaksAsync(policy, "127.0.0.2", "localhost", "a@spammer.test", "refused-1", "Buy.");
        Assert.NotEqual(0, refused);
        Assert.Contains("554 5.7.1 Service unavailable; client host [127.0.0.2] blocked using zen.example.test, dbl.example.test", refusedOutput, StringComparison.Ordinal);

        var delivered = await sink.WaitForMessagesAsync(3, TimeSpan.FromSeconds(30));
        var spam = Status(Assert.Single(delivered, m => m.Contains("<dnsbl-1@test>", StringComparison.Ordinal)));
        Assert.StartsWith("X-Spam-Status: Yes, score=5.5 required=5.0 tests=", spam, StringComparison.Ordinal);
        Assert.Contains("DNSBL_zen.example.test", spam, StringComparison.Ordinal);
        Assert.Contains("URIBL_uri.example.test", spam, StringComparison.Ordinal);

        Assert.Equal("X-Spam-Status: No, score=-2.0 required=5.0 tests=DNSWL_wl.example.test", Status(Assert.Single(delivered, m => m.Contains("<dnswl-1@test>", StringComparison.Ordinal))));
        Assert.Equal("X-Spam-Status: No, score=0.0 required=5.0 tests=none", Status(Assert.Single(delivered, m => m.Contains("<other-1@test>", StringComparison.Ordinal))));

        // Each hit is logged with the session, the zone and the code.
        await gateway.WaitForLogAsync(l => l.Contains("127.0.0.2 listed in zen.example.test (127.0.0.2)", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await gateway.WaitForLogAsync(l => l.Contains("bad-links.test listed in uri.example.test (127.0.0.2)", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await gateway.WaitForLogAsync(l => l.Contains("Client refused at RCPT", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_submission_listener_that_requires_auth_refuses_anonymous_mail_and_looks_up_no_list()
    {
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string>
        {
            ["zen.example.test"] = "2.0.0.127 A 127.0.0.2\n",
            ["wl.example.test"] = "3.0.0.127 A 127.0.10.2\n",
            ["dbl.example.test"] = "spammer.test A 127.0.1.2\n",
            ["uri.example.test"] = "bad-links.test A 127.0.0.2\n",
        });
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var submissionPort = Gateway.Testing.FreePort.Next();
        const string Password = "test-only submission password";
        var policy = new TestPolicy(
            credentialsFileContent: $"# test-only credentials\nalice:{Gateway.Policy.PasswordHash.Create(Password, 10_000)}\n",
            extraListenerYaml: $"""
                  - name: submission
                    address: 127.0.0.1:{submissionPort.ToString(CultureInfo.InvariantCulture)}
                    tls: starttls
                    require_auth: true
                """,
            extraYaml: Mail.RouteToSink(sink) + Lists,
            dnsServer: dns.EndPoint);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        // From the listed address: without AUTH the transaction is refused whatever the list says.
        var (anonymous, anonymousOutput) = await SubmitAsync(submissionPort, "submit-0", []);
        Assert.NotEqual(0, anonymous);
        Assert.Contains("530 5.7.0 Authentication required", anonymousOutput, StringComparison.Ordinal);

        var (submitted, submittedOutput) = await SubmitAsync(submissionPort, "submit-1", ["--auth", "PLAIN", "--auth-user", "alice", "--auth-password", Password]);
        Assert.True(submitted == 0, submittedOutput);
        var delivered = Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Contains("<submit-1@test>", delivered, StringComparison.Ordinal);

        // The same address on the inbound listener is looked up; on the submission listener it never was.
        var (inbound, inboundOutput) = await SwaksAsync(policy, "127.0.0.2", "mail.client.test", "a@clean.test", "inbound-1", "Hello.");
        Assert.True(inbound == 0, inboundOutput);
        await gateway.WaitForLogAsync(l => l.Contains("127.0.0.2 listed in zen.example.test (127.0.0.2)", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Single(gateway.StandardOutput, l => l.Contains("127.0.0.2 listed in zen.example.test", StringComparison.Ordinal));
    }

    private static Task<(int ExitCode, string Output)> SubmitAsync(int port, string id, string[] auth) =>
        ExternalTool.RunAsync(
            "swaks",
            [
                "--server", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--local-interface", "127.0.0.2",
                "--ehlo", "laptop.example.org", "--from", "alice@example.org", "--to", "bob@example.test", "--tls",
                "--header", $"Message-ID: <{id}@test>", "--header", "Subject: " + id, "--body", "Minutes attached.", .. auth,
            ],
            TimeSpan.FromSeconds(60));

    /// <summary>One message from <paramref name="client"/> (a loopback address) to bob@example.test.</summary>
    private static Task<(int ExitCode, string Output)> SwaksAsync(TestPolicy policy, string client, string helo, string from, string id, string body) =>
        ExternalTool.RunAsync(
            "swaks",
            [
                "--server", "127.0.0.1", "--port", policy.SmtpPort.ToString(CultureInfo.InvariantCulture), "--local-interface", client,
                "--ehlo", helo, "--from", from, "--to", "bob@example.test",
                "--header", $"Message-ID: <{id}@test>", "--header", "Subject: " + id, "--body", body,
            ],
            TimeSpan.FromSeconds(60));

    private static string Status(string delivered) =>
        delivered.Split('\n').Select(l => l.TrimEnd('\r')).Single(l => l.StartsWith("X-Spam-Status:", StringComparison.Ordinal));
}
