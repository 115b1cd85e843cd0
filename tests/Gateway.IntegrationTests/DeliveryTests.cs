using System.Globalization;
using System.Net;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Peers;

namespace Gateway.IntegrationTests;

/// <summary>
/// The whole road: a client sends to the real gateway, which queues the message on disk and delivers it to
/// Debian postfix's smtp-sink, found through policy routes (inbound) or MX records served by a private knot
/// server (outbound). Each test uses its own loopback address for sinks on port 25.
/// </summary>
public sealed class DeliveryTests
{
    private static string Routes(SmtpSink sink) =>
        $"delivery:\n  routes:\n    \"*\":\n      - host: {sink.EndPoint.Address}\n        port: {sink.EndPoint.Port.ToString(CultureInfo.InvariantCulture)}\n  retry:\n    first: 1s\n    max: 2s\n";

    /// <summary>Loopback clients may relay; all outbound mail goes to the sink as the smarthost.</summary>
    private static TestPolicy TrustedViaSmarthost(SmtpSink sink) => new(
        trustedNetworks: ["127.0.0.0/8"],
        extraYaml: $"delivery:\n  smarthost: \"127.0.0.1:{sink.Port.ToString(CultureInfo.InvariantCulture)}\"\n");

    [Fact]
    public async Task Inbound_mail_is_relayed_to_the_internal_server_with_our_received_header()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Routes(sink));
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var reply = await Mail.SendAsync(gateway.SmtpEndPoint, "sender@example.org", ["user@example.test", "other@ours.test"], "inbound-1@example.org");
        Assert.Equal(250, reply.Code);

        var messages = await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30));
        var message = Assert.Single(messages);
        Assert.Contains("X-Mail-Args: <sender@example.org>", message, StringComparison.Ordinal);
        Assert.Contains("X-Rcpt-Args: <user@example.test>", message, StringComparison.Ordinal);
        Assert.Contains("X-Rcpt-Args: <other@ours.test>", message, StringComparison.Ordinal);
        Assert.Contains("Message-ID: <inbound-1@example.org>", message, StringComparison.Ordinal);
        Assert.Matches(@"Received: from client\.example\.org \(\[127\.0\.0\.1\]\) by mx\.gateway\.test[^\n]*\n\s+with ESMTP id [0-9a-v]{16}", message);

        var trace = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--config", policy.MainFile, "--from", "sender@example.org");
        Assert.Contains("received", trace.StdOut, StringComparison.Ordinal);
        Assert.Contains("delivered", trace.StdOut, StringComparison.Ordinal);

        // The id a mail program shows finds the message, with or without its angle brackets, in the trace and the log.
        foreach (var given in new[] { "inbound-1@example.org", "<inbound-1@example.org>" })
        {
            var byId = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--config", policy.MainFile, "--msgid", given);
            Assert.Contains(" received from=<sender@example.org> ", byId.StdOut, StringComparison.Ordinal);
            Assert.Contains(" msgid=<inbound-1@example.org> ", byId.StdOut, StringComparison.Ordinal);
            Assert.Contains(" delivered ", byId.StdOut, StringComparison.Ordinal);
        }

        var none = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--config", policy.MainFile, "--msgid", "inbound-2@example.org");
        Assert.Contains("no matching messages", none.StdOut, StringComparison.Ordinal);
        await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":1070,", StringComparison.Ordinal) && l.Contains("inbound-1@example.org", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Outbound_mail_goes_to_the_mx_from_dns()
    {
        var mxAddress = IPAddress.Parse("127.0.0.12");
        await using var sink = await SmtpSink.StartAsync(mxAddress, 25);
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string>
        {
            ["remote.test"] = "@ MX 10 mx1\n@ MX 20 mx2\nmx1 A 127.0.0.12\nmx2 A 127.0.0.13\n",
        });
        var policy = new TestPolicy(
            trustedNetworks: ["127.0.0.0/8"],
            dnsServer: dns.EndPoint);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var reply = await Mail.SendAsync(gateway.SmtpEndPoint, "staff@example.test", ["friend@remote.test"], "outbound-1@example.test");
        Assert.Equal(250, reply.Code);

        var message = Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Contains("X-Rcpt-Args: <friend@remote.test>", message, StringComparison.Ordinal);
        Assert.Contains("Message-ID: <outbound-1@example.test>", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_domain_with_null_mx_fails_at_once_and_the_sender_gets_a_notice()
    {
        var senderMx = IPAddress.Parse("127.0.0.14");
        await using var senderSink = await SmtpSink.StartAsync(senderMx, 25);
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string>
        {
            ["nomail.test"] = "@ MX 0 .\n",
            ["sender.test"] = "@ MX 10 mx\nmx A 127.0.0.14\n",
        });
        var policy = new TestPolicy(
            trustedNetworks: ["127.0.0.0/8"],
            dnsServer: dns.EndPoint);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "someone@sender.test", ["nobody@nomail.test"], "nullmx-1@sender.test")).Code);

        var notice = Assert.Single(await senderSink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Contains("X-Mail-Args: <>", notice, StringComparison.Ordinal);
        Assert.Contains("X-Rcpt-Args: <someone@sender.test>", notice, StringComparison.Ordinal);
        Assert.Contains("multipart/report", notice, StringComparison.Ordinal);
        Assert.Matches("Final-Recipient: rfc822; ?nobody@nomail.test", notice);
        Assert.Contains("Action: failed", notice, StringComparison.Ordinal);
        Assert.Contains("5.1.10", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_5xx_from_the_next_hop_sends_a_failure_notice_with_the_remote_reply()
    {
        var senderMx = IPAddress.Parse("127.0.0.15");
        await using var rejecting = await SmtpSink.StartAsync(IPAddress.Loopback, 0, "-f", "RCPT", "-B", "550 5.1.1 No such user here");
        await using var senderSink = await SmtpSink.StartAsync(senderMx, 25);
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string> { ["sender.test"] = "@ MX 10 mx\nmx A 127.0.0.15\n" });
        var policy = new TestPolicy(extraYaml: Routes(rejecting), dnsServer: dns.EndPoint);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "someone@sender.test", ["nosuchuser@example.test"], "bounce-1@sender.test")).Code);

        var notice = Assert.Single(await senderSink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Contains("X-Mail-Args: <>", notice, StringComparison.Ordinal);
        Assert.Matches("Final-Recipient: rfc822; ?nosuchuser@example.test", notice);
        Assert.Matches("Diagnostic-Code: smtp; ?550 5.1.1", notice);
        Assert.Contains("550 5.1.1 No such user here", notice, StringComparison.Ordinal);
        Assert.Contains("Message-ID: <bounce-1@sender.test>", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_4xx_from_the_next_hop_is_retried_until_it_is_delivered()
    {
        var port = Gateway.Testing.FreePort.Next();
        var sinkAddress = IPAddress.Parse("127.0.0.16");
        var deferring = await SmtpSink.StartAsync(sinkAddress, port, "-r", "RCPT");
        var policy = new TestPolicy(extraYaml: $"delivery:\n  routes:\n    \"*\":\n      - host: {sinkAddress}\n        port: {port.ToString(CultureInfo.InvariantCulture)}\n  retry:\n    first: 1s\n    max: 2s\n");
        await using var gateway = await GatewayProcess.StartAsync(policy);

        Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "sender@example.org", ["user@example.test"], "retry-1@example.org")).Code);
        // Wait for the deferral itself in the trace log (a log line merely containing "450" could be a port number).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var sofar = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--config", policy.MainFile, "--to", "user@example.test");
            if (sofar.StdOut.Contains("deferred", StringComparison.Ordinal))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "no deferral in the trace log within 30 s:\n" + sofar.StdOut);
            await Task.Delay(200);
        }

        await deferring.DisposeAsync();

        await using var accepting = await SmtpSink.StartAsync(sinkAddress, port);
        var message = Assert.Single(await accepting.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Contains("Message-ID: <retry-1@example.org>", message, StringComparison.Ordinal);

        var trace = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--config", policy.MainFile, "--to", "user@example.test");
        Assert.Contains("deferred", trace.StdOut, StringComparison.Ordinal);
        Assert.Contains("delivered", trace.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_received_headers_than_the_limit_is_a_routing_loop()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Routes(sink));
        await using var gateway = await GatewayProcess.StartAsync(policy);
        var received = string.Concat(Enumerable.Range(0, 51).Select(i => $"Received: from hop{i}.example by hop{i + 1}.example; Mon, 23 Nov 2026 10:00:00 +0000\r\n"));

        var reply = await Mail.SendAsync(gateway.SmtpEndPoint, "sender@example.org", ["user@example.test"], "loop-1@example.org", extraHeaders: received);

        Assert.Equal((554, "5.4.6"), (reply.Code, reply.EnhancedCode));
    }

    [Fact]
    public async Task Queue_commands_hold_release_and_delete_a_message_of_a_running_gateway()
    {
        var port = Gateway.Testing.FreePort.Next();
        var deferring = await SmtpSink.StartAsync(IPAddress.Loopback, port, "-r", "RCPT");
        var policy = new TestPolicy(extraYaml: $"delivery:\n  routes:\n    \"*\":\n      - host: 127.0.0.1\n        port: {port.ToString(CultureInfo.InvariantCulture)}\n");
        await using var gateway = await GatewayProcess.StartAsync(policy);
        var reply = await Mail.SendAsync(gateway.SmtpEndPoint, "sender@example.org", ["user@example.test"], "ops-1@example.org");
        var id = reply.Lines[0][^16..];

        async Task<string> Queue(params string[] args) =>
            (await GatewayProcess.RunToCompletionAsync(policy.Directory, null, ["queue", .. args, "--config", policy.MainFile])).StdOut;

        Assert.Contains(id, await Queue("list"), StringComparison.Ordinal);
        Assert.Contains("sender@example.org", await Queue("show", id), StringComparison.Ordinal);
        await Queue("hold", id);
        Assert.Contains("held", await Queue("list"), StringComparison.Ordinal);
        await Queue("release", id);
        await Queue("delete", id);
        Assert.DoesNotContain(id, await Queue("list"), StringComparison.Ordinal);

        var trace = (await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--config", policy.MainFile, "--id", id)).StdOut;
        Assert.Contains("held", trace, StringComparison.Ordinal);
        Assert.Contains("deleted by", trace, StringComparison.Ordinal);
        await deferring.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_count_what_was_accepted_and_delivered()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Routes(sink));
        await using var gateway = await GatewayProcess.StartAsync(policy);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "sender@example.org", ["user@example.test"], $"metrics-{i}@example.org")).Code);
        }

        await sink.WaitForMessagesAsync(3, TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = policy.AdminUri };
        string text = string.Empty;
        for (var i = 0; i < 50 && !text.Contains("gateway_recipients_delivered_total 3", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            text = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        }

        Assert.Contains("gateway_messages_accepted_total 3", text, StringComparison.Ordinal);
        Assert.Contains("gateway_recipients_delivered_total 3", text, StringComparison.Ordinal);
        Assert.Contains("gateway_delivery_latency_seconds_count 3", text, StringComparison.Ordinal);
        Assert.Contains("gateway_accept_latency_seconds_count 3", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE gateway_accept_latency_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("gateway_queue_messages 0", text, StringComparison.Ordinal);
    }
    [Fact]
    public async Task Relayed_mail_arrives_as_accepted_with_only_our_received_header_added()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Routes(sink));
        await using var gateway = await GatewayProcess.StartAsync(policy);

        // Sent dot-stuffed by the test client (RFC 5321 4.5.2); 8-bit octets, a line of 998, a folded header.
        var longLine = new string('w', 998);
        var body = "Caf\u00e9 cr\u00e8me\r\n..leading dot\r\n.\u00e9\r\n" + longLine + "\r\nlast line\r\n";
        var folded = "X-Folded: first\r\n\tsecond\r\n";
        Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "sender@example.org", ["user@example.test"], "bytes-1@example.org", body, folded)).Code);

        var dumped = Assert.Single(await sink.WaitForDumpsAsync(1, TimeSpan.FromSeconds(30)));
        var expected = "From: <sender@example.org>\nTo: <user@example.test>\nSubject: test bytes-1@example.org\nMessage-ID: <bytes-1@example.org>\n"
            + "X-Folded: first\n\tsecond\n\nCaf\u00e9 cr\u00e8me\n.leading dot\n\u00e9\n" + longLine + "\nlast line\n";
        var arrived = System.Text.Encoding.Latin1.GetString(dumped.Message);
        Assert.StartsWith("Received: from client.example.org", arrived, StringComparison.Ordinal);
        Assert.EndsWith(expected, arrived, StringComparison.Ordinal);

        // Only the Received field was added in front of what the client sent.
        var received = arrived[..^expected.Length];
        Assert.All(received.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1), line => Assert.True(line[0] is ' ' or '\t', line));
        Assert.Contains("BODY=8BITMIME", dumped.MailArgs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_a_label_recipient_is_relayed_as_the_client_wrote_it()
    {
        // smtp-sink has no SMTPUTF8: a U-label with SMTPUTF8 added on the way would fail here with 5.6.7.
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = TrustedViaSmarthost(sink);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "staff@example.test", ["user@xn--bcher-kva.example"], "alabel-1@example.test")).Code);

        var dumped = Assert.Single(await sink.WaitForDumpsAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Equal(["<user@xn--bcher-kva.example>"], dumped.RcptArgs);
        Assert.DoesNotContain("SMTPUTF8", dumped.MailArgs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_outbound_route_takes_its_domain_and_subdomains_past_the_smarthost()
    {
        await using var smarthost = await SmtpSink.StartAsync(IPAddress.Loopback);
        await using var partner = await SmtpSink.StartAsync(IPAddress.Loopback);
        var port = partner.Port.ToString(CultureInfo.InvariantCulture);
        var policy = new TestPolicy(
            trustedNetworks: ["127.0.0.0/8"],
            extraYaml: $"delivery:\n  smarthost: \"127.0.0.1:{smarthost.Port.ToString(CultureInfo.InvariantCulture)}\"\n"
                + $"  outbound_routes:\n    partner.example:\n      - host: 127.0.0.1\n        port: {port}\n"
                + $"    .partner.example:\n      - host: 127.0.0.1\n        port: {port}\n");
        await using var gateway = await GatewayProcess.StartAsync(policy);

        Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "staff@example.test", ["a@partner.example", "b@eu.partner.example"], "transport-1@example.test")).Code);
        Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "staff@example.test", ["c@elsewhere.example"], "transport-2@example.test")).Code);

        // The route key is the destination (as the MX set or the smarthost is), so the two keys are two transactions.
        var routed = await partner.WaitForDumpsAsync(2, TimeSpan.FromSeconds(30));
        Assert.Equal(["<a@partner.example>", "<b@eu.partner.example>"], routed.SelectMany(d => d.RcptArgs).Order(StringComparer.Ordinal));
        var relayed = Assert.Single(await smarthost.WaitForDumpsAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Equal(["<c@elsewhere.example>"], relayed.RcptArgs);

    }

    [Fact]
    public async Task A_smarthost_named_by_its_address_keeps_the_tls_it_is_given()
    {
        // smtp-sink offers no STARTTLS: with tls: encrypt the gateway must not hand it the message in plaintext.
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(
            trustedNetworks: ["127.0.0.0/8"],
            extraYaml: $"delivery:\n  smarthost:\n    host: 127.0.0.1\n    port: {sink.Port.ToString(CultureInfo.InvariantCulture)}\n    tls: encrypt\n"
                + "  retry:\n    first: 1s\n    max: 2s\n");
        await using var gateway = await GatewayProcess.StartAsync(policy);

        Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "staff@example.test", ["user@elsewhere.example"], "smarthost-tls-1@example.test")).Code);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string trace;
        do
        {
            await Task.Delay(500);
            trace = (await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--config", policy.MainFile, "--to", "user@elsewhere.example")).StdOut;
        }
        while (!trace.Contains("STARTTLS not offered", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.Contains("TLS required by policy (encrypt): STARTTLS not offered", trace, StringComparison.Ordinal);
        Assert.DoesNotContain(" delivered ", trace, StringComparison.Ordinal);
        Assert.Empty(sink.Dumps());
    }

    [Fact]
    public async Task An_address_literal_recipient_goes_to_the_smarthost()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = TrustedViaSmarthost(sink);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        // 192.0.2.1 (TEST-NET-1) is never reachable: only the smarthost can have taken it.
        Assert.Equal(250, (await Mail.SendAsync(gateway.SmtpEndPoint, "staff@example.test", ["user@[192.0.2.1]"], "literal-1@example.test")).Code);

        var dumped = Assert.Single(await sink.WaitForDumpsAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Equal(["<user@[192.0.2.1]>"], dumped.RcptArgs);
    }
}
