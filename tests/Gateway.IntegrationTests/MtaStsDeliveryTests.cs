using System.Net;
using System.Text.Json;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing;
using Gateway.Testing.Peers;

namespace Gateway.IntegrationTests;

/// <summary>
/// MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) in the running gateway: policies fetched over HTTPS from a policy host on
/// 127.0.0.80:443 whose certificate comes from a test CA that the gateway trusts only through SSL_CERT_FILE (the
/// system store's standard override on Linux), DNS from a private knot server, MX hosts on 127.0.0.81, .82 and .84, port 25.
/// </summary>
public sealed class MtaStsDeliveryTests
{
    private static readonly IPAddress PolicyHost = IPAddress.Parse("127.0.0.80");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static string Policy(string mode, string mx) => $"version: STSv1\r\nmode: {mode}\r\nmx: {mx}\r\nmax_age: 86400\r\n";

    /// <summary>A zone with an MTA-STS record of the given id, its policy host and one MX host at the address.</summary>
    private static string Zone(string id, IPAddress mx, string extra = "") =>
        $"_mta-sts TXT \"v=STSv1; id={id}\"\nmta-sts A {PolicyHost}\n@ MX 10 mx\nmx A {mx}\n{extra}";

    private static async Task<string> WriteBundleAsync(TestCertificateAuthority ca)
    {
        var bundle = Path.Combine(TestDirectories.CreateTemp("gw-ca"), "ca-bundle.pem");
        await File.WriteAllTextAsync(bundle, ca.Root.ExportCertificatePem() + "\n");
        return bundle;
    }

    private static async Task<string> TraceAsync(TestPolicy policy, string recipient) =>
        (await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--config", policy.MainFile, "--to", recipient)).StdOut;

    /// <summary>Polls `gateway trace` until <paramref name="text"/> appears more than <paramref name="times"/> times.</summary>
    private static async Task<string> WaitForTraceAsync(TestPolicy policy, string recipient, string text, int times = 0)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var trace = await TraceAsync(policy, recipient);
            if (Count(trace, text) > times)
            {
                return trace;
            }

            Assert.True(DateTime.UtcNow < deadline, $"'{text}' not in the trace of {recipient} more than {times} times within {Patience}:\n{trace}");
            await Task.Delay(500);
        }
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task Enforce_mode_defers_a_plaintext_mx_and_a_wrongly_named_one_and_the_cached_policy_outlives_a_restart_and_a_failed_refetch()
    {
        using var ca = new TestCertificateAuthority("MTA-STS Test");
        var bundle = await WriteBundleAsync(ca);
        var environment = new Dictionary<string, string> { ["SSL_CERT_FILE"] = bundle };
        using var policyCertificate = ca.Issue("mta-sts.plain.test", "mta-sts.wrongname.test", "mta-sts.good.test");
        var policyServer = await MtaStsPolicyServer.StartAsync(PolicyHost, policyCertificate, ca.Intermediate, new Dictionary<string, string>
        {
            ["plain.test"] = Policy("enforce", "mx.plain.test"),
            ["wrongname.test"] = Policy("enforce", "mx.wrongname.test"),
            ["good.test"] = Policy("enforce", "mx.good.test"),
        });
        await using var _ = policyServer;

        // plain.test's MX offers no STARTTLS at all. One Postfix with a certificate for mx.good.test is the MX of both
        // good.test (the right name) and wrongname.test (its MX mx.wrongname.test is not named by that certificate).
        await using var plain = await SmtpSink.StartAsync(IPAddress.Parse("127.0.0.81"), 25);
        using var mxCertificate = ca.Issue("mx.good.test");
        await using var postfix = await PostfixServer.StartAsync(IPAddress.Parse("127.0.0.82"), ca.ChainPem(mxCertificate), TestCertificateAuthority.KeyPem(mxCertificate), port: 25);
        var zones = new Dictionary<string, string>
        {
            ["plain.test"] = Zone("1", IPAddress.Parse("127.0.0.81")),
            ["wrongname.test"] = Zone("1", IPAddress.Parse("127.0.0.82")),
            ["good.test"] = Zone("1", IPAddress.Parse("127.0.0.82")),
        };
        await using var dns = await KnotDns.StartAsync(zones);
        var policy = new TestPolicy(
            trustedNetworks: ["127.0.0.0/8"],
            dnsServer: dns.EndPoint,
            extraYaml: "delivery:\n  retry:\n    first: 1s\n    max: 2s\n");

        var gateway = await GatewayProcess.StartAsync(policy, environment);
        try
        {
            Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "staff@example.test", ["user@plain.test"], "sts-plain@example.test")).Code);
            Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "staff@example.test", ["user@wrongname.test"], "sts-wrong@example.test")).Code);
            Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "staff@example.test", ["user@good.test"], "sts-good@example.test")).Code);

            // The verified MX gets the mail: the policy host and the MX were both checked against the CA in SSL_CERT_FILE.
            Assert.True(await postfix.WaitForLogAsync("user@good.test", Patience), "good.test's MX got nothing:\n" + postfix.Log());
            await WaitForTraceAsync(policy, "user@plain.test", "TLS required by MTA-STS policy of plain.test: STARTTLS not offered by mx.plain.test");
            await WaitForTraceAsync(policy, "user@wrongname.test", "TLS required by MTA-STS policy of wrongname.test: certificate name mismatch for mx.wrongname.test");
            Assert.Empty(plain.Messages());
            Assert.Empty(await postfix.FindAsync("user@wrongname.test"));
            Assert.Equal(3, policyServer.Requests);
        }
        finally
        {
            await gateway.DisposeAsync();
        }

        var cache = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "mta-sts", "cache", "--config", policy.MainFile);
        Assert.Equal(0, cache.ExitCode);
        Assert.Matches(@"plain\.test\s+1\s+enforce\s+\S+\s+mx\.plain\.test", cache.StdOut);
        Assert.Contains("# 3 cached policies", cache.StdOut, StringComparison.Ordinal);

        // Restart with the policy host gone and plain.test announcing a new policy id: the refetch fails, and the cached
        // enforce policy (RFC 8461 5.1: unexpired, so it still applies) keeps the mail from going out in plaintext.
        await policyServer.DisposeAsync();
        zones["plain.test"] = Zone("2", IPAddress.Parse("127.0.0.81"));
        await using var changedDns = await KnotDns.StartAsync(zones);
        policy.DnsServer = changedDns.EndPoint;
        policy.Write();
        var before = Count(await TraceAsync(policy, "user@plain.test"), "TLS required by MTA-STS policy of plain.test");
        await using var restarted = await GatewayProcess.StartAsync(policy, environment);
        await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "queue", "retry", "--all", "--config", policy.MainFile);

        await WaitForTraceAsync(policy, "user@plain.test", "TLS required by MTA-STS policy of plain.test", before);
        await restarted.WaitForLogAsync(l => l.Contains("\"EventId\":6103,", StringComparison.Ordinal) && l.Contains("plain.test", StringComparison.Ordinal), Patience);
        Assert.Empty(plain.Messages());
        var queue = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "queue", "list", "--config", policy.MainFile);
        Assert.Contains("user@plain.test", queue.StdOut, StringComparison.Ordinal);
        Assert.Contains("user@wrongname.test", queue.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Testing_mode_delivers_to_a_plaintext_mx_and_counts_the_failure_for_the_tls_report()
    {
        using var ca = new TestCertificateAuthority("MTA-STS Testing");
        var bundle = await WriteBundleAsync(ca);
        using var policyCertificate = ca.Issue("mta-sts.testing.test");
        await using var policyServer = await MtaStsPolicyServer.StartAsync(PolicyHost, policyCertificate, ca.Intermediate, new Dictionary<string, string>
        {
            ["testing.test"] = Policy("testing", "mx.testing.test"),
        });
        await using var sink = await SmtpSink.StartAsync(IPAddress.Parse("127.0.0.84"), 25);
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string>
        {
            ["testing.test"] = Zone("7", IPAddress.Parse("127.0.0.84"), "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@reports.test\"\n"),
        });
        var policy = new TestPolicy(trustedNetworks: ["127.0.0.0/8"], dnsServer: dns.EndPoint);
        await using (var gateway = await GatewayProcess.StartAsync(policy, new Dictionary<string, string> { ["SSL_CERT_FILE"] = bundle }))
        {
            Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "staff@example.test", ["user@testing.test"], "sts-testing@example.test")).Code);
            var message = Assert.Single(await sink.WaitForMessagesAsync(1, Patience));
            Assert.Contains("X-Rcpt-Args: <user@testing.test>", message, StringComparison.Ordinal);
            Assert.Equal(1, policyServer.Requests);
        }

        // The gateway saved its counters when it stopped; today is not over, so only --include-today shows them.
        var completed = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "tlsrpt", "report", "--dry-run", "--config", policy.MainFile);
        Assert.Equal(0, completed.ExitCode);
        Assert.Contains("# 0 report(s) pending (completed days)", completed.StdOut, StringComparison.Ordinal);

        var today = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "tlsrpt", "report", "--dry-run", "--include-today", "--config", policy.MainFile);
        Assert.Equal(0, today.ExitCode);
        Assert.Matches(@"# testing\.test \d{4}-\d{2}-\d{2}: rua mailto:tlsrpt@reports\.test", today.StdOut);
        var json = today.StdOut[today.StdOut.IndexOf('{', StringComparison.Ordinal)..];
        using var report = JsonDocument.Parse(json);
        var result = Assert.Single(report.RootElement.GetProperty("policies").EnumerateArray());
        Assert.Equal("sts", result.GetProperty("policy").GetProperty("policy-type").GetString());
        Assert.Equal("testing.test", result.GetProperty("policy").GetProperty("policy-domain").GetString());
        Assert.Contains("mode: testing", result.GetProperty("policy").GetProperty("policy-string").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(0, result.GetProperty("summary").GetProperty("total-successful-session-count").GetInt64());
        Assert.Equal(1, result.GetProperty("summary").GetProperty("total-failure-session-count").GetInt64());
        var failure = Assert.Single(result.GetProperty("failure-details").EnumerateArray());
        Assert.Equal("starttls-not-supported", failure.GetProperty("result-type").GetString());
        Assert.Equal("mx.testing.test", failure.GetProperty("receiving-mx-hostname").GetString());
        Assert.Equal("127.0.0.84", failure.GetProperty("receiving-ip").GetString());
        Assert.Equal(1, failure.GetProperty("failed-session-count").GetInt64());

        // Nothing was forgotten by looking.
        var again = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "tlsrpt", "report", "--dry-run", "--include-today", "--config", policy.MainFile);
        Assert.Contains("# 1 report(s) pending", again.StdOut, StringComparison.Ordinal);
    }
}
