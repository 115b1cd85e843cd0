using System.Globalization;
using System.Net;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Peers;

namespace Gateway.IntegrationTests;

/// <summary>
/// The attachment policy and both external scanners on the real gateway, configured as an administrator writes them,
/// with a real clamd (signature database made at test time), a real rspamd and smtp-sink as the internal server.
/// </summary>
public sealed class ScannerPolicyTests
{
    private static readonly byte[] Pe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0];

    [Fact]
    public async Task Viruses_blocked_attachments_and_scanner_failures_get_their_answers_and_clean_mail_is_delivered_marked()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        await using var clamd = await Clamd.StartAsync();
        await using var rspamd = await Rspamd.StartAsync();
        var policy = new TestPolicy(extraYaml: Mail.RouteToSink(sink));
        policy.ExtraYaml +=
            "spam:\n" +
            "  action: tag\n" +
            "  attachments:\n" +
            "    block_types: [executable, script]\n" +
            "    block_extensions: [.exe, .scr, .js, .vbs]\n" +
            "    encrypted_archives: tag\n" +
            "    archive_depth: 3\n" +
            "    max_expanded: 100MB\n" +
            "    action: reject\n" +
            $"  clamav: {{address: '127.0.0.1:{clamd.Port.ToString(CultureInfo.InvariantCulture)}', timeout: 5s, on_failure: tempfail}}\n" +
            $"  rspamd: {{url: '{rspamd.Url}', timeout: 10s, weight: 1.0, max_score: 10, on_failure: accept}}\n";
        policy.Write();
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var virus = await Send(gateway, "virus-1", "invoice", ("eicar.com", Clamd.Eicar));
        Assert.Equal(554, virus.Code);
        Assert.Equal("5.7.1", virus.EnhancedCode);

        var blocked = await Send(gateway, "blocked-1", "setup", ("setup.zip", Zip("setup.exe", Pe)));
        Assert.Equal(550, blocked.Code);
        Assert.Contains("setup.zip/setup.exe", blocked.Text, StringComparison.Ordinal);

        // A gzip is opened too: what it holds is typed by its content, whatever the name says.
        var gzipped = await Send(gateway, "blocked-2", "invoice", ("invoice.pdf.gz", Gzip(Pe)));
        Assert.Equal(550, gzipped.Code);
        Assert.Contains("invoice.pdf.gz/invoice.pdf", gzipped.Text, StringComparison.Ordinal);

        var clean = await Send(gateway, "clean-1", "rspamd-spam report", ("report.txt", "numbers"u8.ToArray()));
        Assert.Equal(250, clean.Code);
        var delivered = Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Contains("X-Virus-Scanned: clamav; clean", delivered, StringComparison.Ordinal);
        Assert.Contains("X-Spam-Status: Yes, score=6.5 required=5.0 tests=RSPAMD=6.5", delivered, StringComparison.Ordinal);

        // clamd gone: tempfail, never a pass.
        await clamd.StopAsync();
        var unscanned = await Send(gateway, "clean-2", "hello", ("report.txt", "numbers"u8.ToArray()));
        Assert.Equal(451, unscanned.Code);
        Assert.Equal("4.7.1", unscanned.EnhancedCode);

        await gateway.WaitForLogAsync(l => l.Contains("Virus found by clamd", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await gateway.WaitForLogAsync(l => l.Contains("Scanner clamav at 127.0.0.1:", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        using var http = new HttpClient { BaseAddress = policy.AdminUri };
        var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Contains("gateway_scanner_detections_total{scanner=\"clamav\",finding=\"virus\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("gateway_scanner_detections_total{scanner=\"attachments\",finding=\"blocked\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("gateway_scanner_failures_total{scanner=\"clamav\",action=\"tempfail\"} 1", metrics, StringComparison.Ordinal);
    }

    private static Task<Gateway.Testing.Smtp.SmtpResponse> Send(GatewayProcess gateway, string id, string subject, (string Name, byte[] Content) attachment)
    {
        var message =
            $"From: <alice@sender.test>\r\nTo: <bob@example.test>\r\nSubject: {subject}\r\nMessage-ID: <{id}@sender.test>\r\n" +
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
            $"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{attachment.Name}\"\r\n" +
            "Content-Transfer-Encoding: base64\r\n\r\n" + Convert.ToBase64String(attachment.Content, Base64FormattingOptions.InsertLineBreaks) + "\r\n--b--\r\n";
        return Mail.SendMessageAsync(gateway.SmtpEndPoint, "alice@sender.test", "bob@example.test", message);
    }

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    private static byte[] Zip(string name, byte[] content)
    {
        using var output = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(output, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = archive.CreateEntry(name).Open();
            stream.Write(content);
        }

        return output.ToArray();
    }
}
