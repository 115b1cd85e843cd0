using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Peers;

namespace Gateway.IntegrationTests.Authentication;

/// <summary>
/// SPF, DKIM and DMARC on the real gateway: a knot server on 127.0.0.1 publishes the senders' records, mail
/// arrives over SMTP from 127.0.0.1 (an untrusted client, so it is inbound and checked), and smtp-sink stands
/// for the internal server. Outbound mail from a trusted client is DKIM-signed and checked by python3-dkim.
/// </summary>
public sealed class SenderAuthenticationTests
{
    private const string Checks = "authentication:\n  authserv_id: mx.gateway.test\n";

    [Fact]
    public async Task Signed_aligned_mail_passes_and_the_internal_server_sees_one_authentication_results_header()
    {
        var (keyPem, keyRecord) = DkimPeer.NewRsaKey();
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string>
        {
            ["sender.test"] = $"@ TXT \"v=spf1 ip4:127.0.0.1 -all\"\nsel._domainkey {DkimPeer.ZoneTxt(keyRecord)}\n_dmarc TXT \"v=DMARC1; p=reject\"\n",
        });
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Mail.RouteToSink(sink), dnsServer: dns.EndPoint, authenticationYaml: Checks);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        // A forged result claiming our authserv-id must not survive (RFC 8601 5).
        var message = await DkimPeer.SignAsync(
            "Authentication-Results: mx.gateway.test; dmarc=pass header.from=sender.test\r\n" +
            "From: Alice <alice@sender.test>\r\nTo: bob@example.test\r\nSubject: signed\r\nMessage-ID: <auth-pass-1@sender.test>\r\n\r\nHello.\r\n",
            keyPem, "sel", "sender.test");
        var reply = await Mail.SendMessageAsync(gateway.SmtpEndPoint, "alice@sender.test", "bob@example.test", message);
        Assert.Equal(250, reply.Code);

        var delivered = Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30)));
        var results = delivered.Split('\n').Where(l => l.StartsWith("Authentication-Results:", StringComparison.OrdinalIgnoreCase)).ToList();
        var ours = Assert.Single(results);
        var header = Unfold(delivered, ours);
        Assert.Contains("mx.gateway.test;", header, StringComparison.Ordinal);
        Assert.Contains("spf=pass", header, StringComparison.Ordinal);
        Assert.Contains("smtp.mailfrom=alice@sender.test", header, StringComparison.Ordinal);
        Assert.Contains("dkim=pass", header, StringComparison.Ordinal);
        Assert.Contains("header.d=sender.test", header, StringComparison.Ordinal);
        Assert.Contains("dmarc=pass", header, StringComparison.Ordinal);
        Assert.Contains("header.from=sender.test", header, StringComparison.Ordinal);

        // The client's bytes were not rewritten: the sender's signature still verifies downstream.
        Assert.Equal(["pass"], await DkimPeer.VerifyAsync(DkimPeer.MessageOfDump(delivered), dns.EndPoint));
    }

    [Fact]
    public async Task Mail_failing_dmarc_of_a_p_reject_domain_is_refused_at_the_end_of_data()
    {
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string>
        {
            ["strict.test"] = "@ TXT \"v=spf1 -all\"\n_dmarc TXT \"v=DMARC1; p=reject\"\n",
        });
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Mail.RouteToSink(sink), dnsServer: dns.EndPoint, authenticationYaml: Checks);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var reply = await Mail.SendMessageAsync(gateway.SmtpEndPoint, "ceo@strict.test", "bob@example.test",
            "From: ceo@strict.test\r\nTo: bob@example.test\r\nSubject: wire the money\r\nMessage-ID: <spoof-1@strict.test>\r\n\r\nNow.\r\n");

        Assert.Equal(550, reply.Code);
        Assert.Equal("5.7.1", reply.EnhancedCode);

        // Refused means nothing was spooled, so nothing can ever reach the sink.
        var queue = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "queue", "list", "--config", policy.MainFile);
        Assert.Contains("-- 0 message(s)", queue.StdOut, StringComparison.Ordinal);
        Assert.Empty(sink.Messages());

        // The refusal of the checks is counted like the spool's own answers.
        using var http = new HttpClient { BaseAddress = policy.AdminUri };
        var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Contains("gateway_messages_rejected_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("gateway_messages_accepted_total 0", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_failing_dmarc_of_a_p_quarantine_domain_is_a_quarantine_item_with_its_reason()
    {
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string>
        {
            ["careful.test"] = "@ TXT \"v=spf1 -all\"\n_dmarc TXT \"v=DMARC1; p=quarantine\"\n",
        });
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Mail.RouteToSink(sink), dnsServer: dns.EndPoint, authenticationYaml: Checks);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var reply = await Mail.SendMessageAsync(gateway.SmtpEndPoint, "news@careful.test", "bob@example.test",
            "From: news@careful.test\r\nTo: bob@example.test\r\nSubject: quarantined\r\nMessage-ID: <hold-1@careful.test>\r\n\r\nHi.\r\n");
        Assert.Equal(250, reply.Code);

        var list = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "queue", "list", "--config", policy.MainFile);
        Assert.Contains("quarant.", list.StdOut, StringComparison.Ordinal);
        var id = reply.Last.Split(' ')[^1];
        var items = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "quarantine", "list", "--config", policy.MainFile);
        Assert.Contains("-- 1 quarantined message(s)", items.StdOut, StringComparison.Ordinal);
        var item = Assert.Single(items.StdOut.Split('\n'), l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.Contains("dmarc", item, StringComparison.Ordinal);
        Assert.Contains("dmarc=fail policy.from=careful.test p=quarantine", item, StringComparison.Ordinal);
        var show = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "quarantine", "show", id, "--config", policy.MainFile);
        Assert.True(show.ExitCode == 0, show.StdErr);
        Assert.Contains("verdict:      dmarc: dmarc=fail policy.from=careful.test p=quarantine", show.StdOut, StringComparison.Ordinal);
        Assert.Contains("Subject: quarantined", show.StdOut, StringComparison.Ordinal);

        // Without admin.token_file the quarantine endpoints refuse TCP; the owner-only control socket answers.
        using (var tcp = new HttpClient { BaseAddress = policy.AdminUri })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await tcp.GetAsync(new Uri("quarantine", UriKind.Relative))).StatusCode);
        }

        using (var local = ControlSocketClient(Path.Combine(policy.Directory, "var", "control.sock")))
        {
            var json = await local.GetStringAsync(new Uri("http://localhost/quarantine/" + id));
            Assert.Contains("\"source\":\"dmarc\"", json, StringComparison.Ordinal);
            Assert.Contains("p=quarantine", json, StringComparison.Ordinal);
        }

        // The summary line of the transaction says it was quarantined, and why.
        await gateway.WaitForLogAsync(
            l => l.Contains("\"EventId\":1070,", StringComparison.Ordinal) && l.Contains("quarantined (dmarc): dmarc=fail p=quarantine", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10));
        var trace = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--config", policy.MainFile, "--from", "news@careful.test");
        Assert.Contains("dmarc", trace.StdOut, StringComparison.Ordinal);

        // Held messages are never handed to the scheduler: no delivery attempt is in the trace.
        Assert.DoesNotContain("attempt", trace.StdOut, StringComparison.Ordinal);
        Assert.Empty(sink.Messages());
    }

    [Fact]
    public async Task Outbound_mail_from_a_trusted_client_is_dkim_signed_and_verifies_with_python3_dkim()
    {
        var (keyPem, keyRecord) = DkimPeer.NewRsaKey();
        var mx = IPAddress.Parse("127.0.0.31");
        await using var sink = await SmtpSink.StartAsync(mx, 25);
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string>
        {
            ["example.test"] = $"gw._domainkey {DkimPeer.ZoneTxt(keyRecord)}\n",
            ["remote.test"] = "@ MX 10 mx\nmx A 127.0.0.31\n",
        });
        var policy = new TestPolicy(
            trustedNetworks: ["127.0.0.2/32"],
            dnsServer: dns.EndPoint,
            authenticationYaml: "authentication:\n  dkim:\n    sign:\n      - domain: example.test\n        selector: gw\n        key: dkim.pem\n");
        await File.WriteAllTextAsync(Path.Combine(policy.Directory, "dkim.pem"), keyPem);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        await Mail.SwaksOutboundAsync(policy.SmtpPort, "Outbound body.");

        var delivered = Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Contains("DKIM-Signature:", delivered, StringComparison.Ordinal);
        Assert.Equal(["pass"], await DkimPeer.VerifyAsync(DkimPeer.MessageOfDump(delivered), dns.EndPoint));
    }

    [Fact]
    public async Task A_key_from_dkim_keygen_signs_outbound_mail_that_python3_dkim_verifies_with_the_printed_record()
    {
        var directory = Gateway.Testing.TestDirectories.CreateTemp("gw-keygen");
        var keyFile = Path.Combine(directory, "ed.pem");
        var keygen = await GatewayProcess.RunToCompletionAsync(
            directory, null, "dkim", "keygen", "--domain", "example.test", "--selector", "ed1", "--algorithm", "ed25519", "--out", keyFile);
        Assert.True(keygen.ExitCode == 0, keygen.StdErr);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        var record = keygen.StdOut.Split('\n').Single(l => l.StartsWith("ed1._domainkey.example.test. IN TXT ", StringComparison.Ordinal));
        Assert.Contains("\"v=DKIM1; k=ed25519; p=", record, StringComparison.Ordinal);

        // An existing key is never overwritten.
        var again = await GatewayProcess.RunToCompletionAsync(
            directory, null, "dkim", "keygen", "--domain", "example.test", "--selector", "ed1", "--algorithm", "ed25519", "--out", keyFile);
        Assert.Equal(1, again.ExitCode);

        var mx = IPAddress.Parse("127.0.0.32");
        await using var sink = await SmtpSink.StartAsync(mx, 25);
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string>
        {
            ["example.test"] = "ed1._domainkey " + record["ed1._domainkey.example.test. IN ".Length..] + "\n",
            ["remote.test"] = "@ MX 10 mx\nmx A 127.0.0.32\n",
        });
        var policy = new TestPolicy(
            trustedNetworks: ["127.0.0.2/32"],
            dnsServer: dns.EndPoint,
            authenticationYaml: $"authentication:\n  dkim:\n    sign:\n      - domain: example.test\n        selector: ed1\n        key: {keyFile}\n");
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var (exit, output) = await ExternalTool.RunAsync(
            "swaks",
            [
                "--server", "127.0.0.1", "--port", policy.SmtpPort.ToString(CultureInfo.InvariantCulture), "--local-interface", "127.0.0.2",
                "--from", "staff@example.test", "--to", "friend@remote.test", "--header", "From: staff@example.test",
            ],
            TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, output);

        var delivered = Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Contains("a=ed25519-sha256", delivered, StringComparison.Ordinal);
        Assert.Equal(["pass"], await DkimPeer.VerifyAsync(DkimPeer.MessageOfDump(delivered), dns.EndPoint));
    }

    [Fact]
    public async Task Dmarc_report_dry_run_prints_the_recorded_evaluations_as_aggregate_report_xml()
    {
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string>
        {
            ["strict.test"] = "@ TXT \"v=spf1 -all\"\n_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@strict.test\"\n",
        });
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(
            extraYaml: Mail.RouteToSink(sink),
            dnsServer: dns.EndPoint,
            authenticationYaml: "authentication:\n  dmarc:\n    reports:\n      enabled: true\n      org_name: Gateway Test\n      from: dmarc-reports@example.test\n");
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var reply = await Mail.SendMessageAsync(gateway.SmtpEndPoint, "ceo@strict.test", "bob@example.test",
            "From: ceo@strict.test\r\nTo: bob@example.test\r\nSubject: spoof\r\nMessage-ID: <report-1@strict.test>\r\n\r\nNow.\r\n");
        Assert.Equal(550, reply.Code);

        var report = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "dmarc", "report", "--dry-run", "--config", policy.MainFile);
        Assert.True(report.ExitCode == 0, report.StdErr);
        Assert.Contains("to dmarc@strict.test", report.StdOut, StringComparison.Ordinal);
        Assert.Contains("<org_name>Gateway Test</org_name>", report.StdOut, StringComparison.Ordinal);
        Assert.Contains("<source_ip>127.0.0.1</source_ip>", report.StdOut, StringComparison.Ordinal);
        Assert.Contains("<disposition>reject</disposition>", report.StdOut, StringComparison.Ordinal);
    }


    private static string Unfold(string dump, string firstLine)
    {
        var lines = dump.Split('\n');
        var start = Array.IndexOf(lines, firstLine);
        var field = lines[start];
        for (var i = start + 1; i < lines.Length && lines[i].Length > 0 && (lines[i][0] == ' ' || lines[i][0] == '\t'); i++)
        {
            field += " " + lines[i].Trim();
        }

        return field;
    }

    /// <summary>An HTTP client over the gateway's control socket (a Unix domain socket), as `gateway keys status` uses it.</summary>
    private static HttpClient ControlSocketClient(string path) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });
}
