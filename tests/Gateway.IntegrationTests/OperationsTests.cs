using System.Globalization;
using System.Net;
using System.Text.Json;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Peers;
using Gateway.Testing.Smtp;

namespace Gateway.IntegrationTests;

/// <summary>Running the gateway as an admin does: reloads, signals, health, logs. Each test owns its process.</summary>
public sealed class OperationsTests
{
    private static async Task<SmtpResponse> RcptAsync(IPEndPoint endPoint, string recipient)
    {
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(endPoint);
        await using var _ = client;
        await client.CommandAsync("EHLO client.example.org");
        await client.CommandAsync("MAIL FROM:<a@example.org>");
        return await client.CommandAsync($"RCPT TO:<{recipient}>");
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Editing_the_policy_applies_to_new_sessions()
    {
        var policy = new TestPolicy(domains: ["example.test"]);
        await using var gateway = await GatewayProcess.StartAsync(policy);
        Assert.Equal(554, (await RcptAsync(gateway.SmtpEndPoint, "user@added.test")).Code);

        policy.Domains = ["example.test", "added.test"];
        policy.Write();

        await WaitForAsync(async () => (await RcptAsync(gateway.SmtpEndPoint, "user@added.test")).Code == 250, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Changed_retry_and_routes_apply_to_the_next_attempt()
    {
        // Two deferring servers on addresses of their own, so the trace log's remote tells them apart.
        var ports = Gateway.Testing.FreePort.Many(2);
        await using var first = await SmtpSink.StartAsync(IPAddress.Parse("127.0.0.41"), ports[0], "-r", "RCPT");
        await using var second = await SmtpSink.StartAsync(IPAddress.Parse("127.0.0.42"), ports[1], "-r", "RCPT");
        static string Delivery(SmtpSink sink, string retry) => string.Create(
            CultureInfo.InvariantCulture,
            $"delivery:\n  routes:\n    \"*\":\n      - host: {sink.EndPoint.Address}\n        port: {sink.EndPoint.Port}\n  retry:\n{retry}");
        var policy = new TestPolicy(extraYaml: Delivery(first, "    first: 1h\n    max: 1h\n"));
        await using var gateway = await GatewayProcess.StartAsync(policy);
        var reply = await Mail.SendAsync(gateway.SmtpEndPoint, "sender@example.org", ["user@example.test"], "reload-1@example.org");
        Assert.Equal(250, reply.Code);
        var id = reply.Lines[0][^16..];
        await WaitForDeferralsAsync(policy, id, first, 1);

        // Retries every second and another route: the next attempt (brought forward from the old hour) goes to
        // the new route, and the one after it follows within seconds, which the old schedule would put an hour away.
        policy.ExtraYaml = Delivery(second, "    first: 1s\n    max: 1s\n    factor: 1\n");
        policy.Write();
        await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":102,", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "queue", "retry", id, "--config", policy.MainFile);

        await WaitForDeferralsAsync(policy, id, second, 2);
    }

    /// <summary>Polls the trace log until the message was deferred by <paramref name="sink"/> at least <paramref name="count"/> times.</summary>
    private static async Task WaitForDeferralsAsync(TestPolicy policy, string id, SmtpSink sink, int count)
    {
        var remote = $" remote={sink.EndPoint.Address} ";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var trace = (await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--config", policy.MainFile, "--id", id)).StdOut;
            var deferrals = trace.Split('\n').Count(l => l.Contains(" deferred ", StringComparison.Ordinal) && l.Contains(remote, StringComparison.Ordinal));
            if (deferrals >= count)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not {count} deferral(s) by {sink.EndPoint} within 30 s:\n{trace}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_broken_policy_is_reported_and_the_running_policy_stays()
    {
        var policy = new TestPolicy(domains: ["example.test"]);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        await File.AppendAllTextAsync(policy.MainFile, "relay:\n  reject_routing_local_partz: true\n");
        var error = await gateway.WaitForLogAsync(l => l.Contains("reject_routing_local_partz", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains($"{policy.MainFile}:", error, StringComparison.Ordinal);

        Assert.Equal(250, (await RcptAsync(gateway.SmtpEndPoint, "user@example.test")).Code);
        Assert.Equal(554, (await RcptAsync(gateway.SmtpEndPoint, "user@elsewhere.example")).Code);
        Assert.False(gateway.HasExited);
    }

    [Fact]
    public async Task Sighup_reloads_the_policy()
    {
        var policy = new TestPolicy(domains: ["example.test"]);
        await using var gateway = await GatewayProcess.StartAsync(policy);
        gateway.Signal(1);
        await gateway.WaitForLogAsync(l => l.Contains("SIGHUP", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":102,", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.False(gateway.HasExited);
        Assert.Equal(250, (await RcptAsync(gateway.SmtpEndPoint, "user@example.test")).Code);
    }

    [Fact]
    public async Task Sigterm_sends_421_to_idle_sessions_and_exits_0()
    {
        var policy = new TestPolicy();
        var gateway = await GatewayProcess.StartAsync(policy);
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
        await using (client)
        {
            await client.CommandAsync("EHLO client.example.org");
            gateway.Signal(15);
            var reply = await client.ReadReplyAsync();
            Assert.Equal(421, reply.Code);
            Assert.Equal("4.3.2", reply.EnhancedCode);
        }

        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await gateway.DisposeAsync();
    }

    [Fact]
    public async Task Health_answers_on_the_admin_endpoint()
    {
        var policy = new TestPolicy();
        await using var gateway = await GatewayProcess.StartAsync(policy);
        using var http = new HttpClient { BaseAddress = policy.AdminUri };
        using var response = await http.GetAsync(new Uri("health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_health_command_reports_a_running_gateway_and_fails_without_one()
    {
        var policy = new TestPolicy();
        var gateway = await GatewayProcess.StartAsync(policy);
        await using (gateway)
        {
            var (exit, stdout, stderr) = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "health", "--config", policy.MainFile);
            Assert.True(exit == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
        }

        var (stoppedExit, _, stoppedError) = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "health", "--config", policy.MainFile);
        Assert.Equal(1, stoppedExit);
        Assert.Contains($"gateway: no gateway answers on {policy.AdminUri}health", stoppedError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_health_command_over_the_control_socket_reads_no_policy_so_an_edit_in_progress_leaves_a_running_gateway_healthy()
    {
        var policy = new TestPolicy();
        var socket = Path.Combine(policy.Directory, "var", "control.sock");
        var gateway = await GatewayProcess.StartAsync(policy);
        await using (gateway)
        {
            // An edit with an error: the running gateway keeps its policy and goes on serving (invariant 6), so a
            // container's HEALTHCHECK must not call it unhealthy, which would have an orchestrator restart it into
            // the broken policy.
            await File.AppendAllTextAsync(policy.MainFile, "hostname: [\n");
            await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":1101,", StringComparison.Ordinal), TimeSpan.FromSeconds(15));

            var (exit, stdout, stderr) = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "health", "--socket", socket);
            Assert.True(exit == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());

            // The form that finds the endpoint in the policy cannot read it now.
            var (byPolicy, _, _) = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "health", "--config", policy.MainFile);
            Assert.Equal(1, byPolicy);
        }

        var (stoppedExit, _, stoppedError) = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "health", "--socket", socket);
        Assert.Equal(1, stoppedExit);
        Assert.Contains($"gateway: no gateway answers on {socket}", stoppedError, StringComparison.Ordinal);
    }

    /// <summary>Replaces one text in the main policy file as an editor would save it (write aside, rename over).</summary>
    private static async Task EditPolicyAsync(TestPolicy policy, string from, string to)
    {
        var text = await File.ReadAllTextAsync(policy.MainFile);
        var edited = text.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(text, edited);
        await File.WriteAllTextAsync(policy.MainFile + ".tmp", edited);
        File.Move(policy.MainFile + ".tmp", policy.MainFile, overwrite: true);
    }

    [Fact]
    public async Task A_moved_listener_is_named_in_the_warning_that_it_waits_for_a_restart()
    {
        var unchanged = Gateway.Testing.FreePort.Next();
        var policy = new TestPolicy(extraListenerYaml: $"""
              - name: submission
                address: 127.0.0.1:{unchanged.ToString(CultureInfo.InvariantCulture)}
            """);
        await using var gateway = await GatewayProcess.StartAsync(policy);
        var other = Gateway.Testing.FreePort.Next();

        await EditPolicyAsync(policy, $"address: 127.0.0.1:{policy.SmtpPort}", $"address: 127.0.0.1:{other}");

        var warning = await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":107,", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains("(inbound changed)", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("submission", warning, StringComparison.Ordinal);

        // Until the restart the listener stays where it was bound.
        Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "sender@example.org", ["user@example.test"], "moved-1@example.org")).Code);
    }

    [Fact]
    public async Task A_changed_admin_address_is_logged_as_waiting_for_a_restart_and_the_endpoint_stays_where_it_is()
    {
        var policy = new TestPolicy();
        await using var gateway = await GatewayProcess.StartAsync(policy);
        var other = Gateway.Testing.FreePort.Next();

        await EditPolicyAsync(policy, $"listen: 127.0.0.1:{policy.AdminPort}", $"listen: 127.0.0.1:{other}");

        var warning = await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":113,", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains($"127.0.0.1:{policy.AdminPort}", warning, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{other}", warning, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = policy.AdminUri };
        using var response = await http.GetAsync(new Uri("health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The running gateway holds the TLS-RPT counters of its state directory; the report command must still see
        // it although the policy's admin address is not (yet) where it answers, or both would send and forget.
        var (exit, _, stderr) = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "tlsrpt", "report", "--config", policy.MainFile);
        Assert.Equal(1, exit);
        Assert.Contains("gateway: a gateway is running", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_are_json_lines_with_one_summary_per_transaction()
    {
        var policy = new TestPolicy();
        await using var gateway = await GatewayProcess.StartAsync(policy);
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
        await using (client)
        {
            await client.CommandAsync("EHLO summary-client.example.org");
            await client.CommandAsync("MAIL FROM:<summary-sender@example.org>");
            await client.CommandAsync("RCPT TO:<summary-rcpt@example.test>");
            await client.CommandAsync("DATA");
            await client.CommandAsync("Subject: secret-subject-line\r\n\r\nsecret body text\r\n.");
            await client.CommandAsync("QUIT");
        }

        var summary = await gateway.WaitForLogAsync(
            l => l.Contains("summary-sender@example.org", StringComparison.Ordinal) && l.Contains("\"EventId\":1070,", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10));
        Assert.Contains("summary-rcpt@example.test", summary, StringComparison.Ordinal);
        Assert.Contains("summary-client.example.org", summary, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", summary, StringComparison.Ordinal);
        Assert.Contains("queued as", summary, StringComparison.Ordinal);
        Assert.Single(gateway.StandardOutput, l => l.Contains("summary-sender@example.org", StringComparison.Ordinal) && l.Contains("\"EventId\":1070,", StringComparison.Ordinal));

        foreach (var line in gateway.StandardOutput)
        {
            using var _ = JsonDocument.Parse(line);
            Assert.DoesNotContain("secret body text", line, StringComparison.Ordinal);
            Assert.DoesNotContain("secret-subject-line", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Proxy_protocol_carries_the_real_client_into_relay_control()
    {
        var proxyPort = Gateway.Testing.FreePort.Next();
        var policy = new TestPolicy(
            trustedNetworks: ["10.99.0.0/16"],
            extraListenerYaml: $"""
                  - name: behind-lb
                    address: 127.0.0.1:{proxyPort.ToString(CultureInfo.InvariantCulture)}
                    proxy_protocol: v1
                    trusted_proxies: [127.0.0.1/32]
                """);
        await using var gateway = await GatewayProcess.StartAsync(policy);
        var endPoint = new IPEndPoint(IPAddress.Loopback, proxyPort);

        async Task<int> RelayViaAsync(string proxyLine)
        {
            await using var client = await SmtpTestClient.ConnectAsync(endPoint);
            await client.SendRawAsync(proxyLine);
            Assert.Equal(220, (await client.ReadReplyAsync()).Code);
            await client.CommandAsync("EHLO internal.example.test");
            await client.CommandAsync("MAIL FROM:<staff@example.test>");
            return (await client.CommandAsync("RCPT TO:<friend@elsewhere.example>")).Code;
        }

        Assert.Equal(250, await RelayViaAsync("PROXY TCP4 10.99.1.5 192.0.2.10 40000 25\r\n"));
        Assert.Equal(554, await RelayViaAsync("PROXY TCP4 203.0.113.9 192.0.2.10 40000 25\r\n"));

        await using var direct = await SmtpTestClient.ConnectAsync(endPoint);
        await direct.SendRawAsync("EHLO no-proxy-header.example\r\n");
        Assert.True(await direct.WaitForCloseAsync(TimeSpan.FromSeconds(15)));
    }
}

/// <summary>Clients that talk before the banner (spam bots that do not wait) on a listener with a pre-greeting delay.</summary>
public sealed class EarlyTalkerTests
{
    [Fact]
    public async Task A_client_that_talks_before_the_greeting_is_refused_and_a_patient_one_is_greeted()
    {
        var port = Gateway.Testing.FreePort.Next();
        var policy = new TestPolicy(extraListenerYaml: $"""
              - name: patient
                address: 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}
                pregreet_delay: 1s
                reject_early_talkers: true
            """);
        await using var gateway = await GatewayProcess.StartAsync(policy);
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);

        await using (var rude = await SmtpTestClient.ConnectAsync(endPoint))
        {
            await rude.SendRawAsync("EHLO bot.example\r\n");
            var reply = await rude.ReadReplyAsync();
            Assert.Equal((521, "5.5.0"), (reply.Code, reply.EnhancedCode));
            Assert.True(await rude.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        }

        var (polite, greeting) = await SmtpTestClient.ConnectAndGreetAsync(endPoint);
        await using (polite)
        {
            Assert.Equal(220, greeting.Code);
            Assert.Equal(250, (await polite.CommandAsync("EHLO mta.example")).Code);
        }
    }
}
