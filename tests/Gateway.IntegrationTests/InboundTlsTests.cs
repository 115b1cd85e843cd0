using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing;
using Gateway.Testing.Peers;
using Gateway.Testing.Smtp;

namespace Gateway.IntegrationTests;

/// <summary>
/// Inbound transport security against the real gateway: certificates from PEM files chosen by SNI with their chain,
/// TLS 1.2+ only, a renewed file served without a restart, TLS required by network and by sender domain, REQUIRETLS,
/// and the TLS version and cipher in the Received field. Certificates come from a CA made for the test.
/// </summary>
public sealed partial class InboundTlsTests : IDisposable
{
    private const string CertificatesYaml =
        "tls:\n  certificate: mx.pem\n  key: mx.pem\n  certificates:\n    - certificate: other.crt\n      key: other.key\n  watch_interval: 1s";

    private readonly TestCertificateAuthority _ca = new();

    public void Dispose() => _ca.Dispose();

    /// <summary>A policy with two certificates: mx.gateway.test (the default) and mail.other.test.</summary>
    private TestPolicy TwoCertificates(string? extraYaml = null, string tlsExtra = "")
    {
        var policy = new TestPolicy(tlsYaml: CertificatesYaml + tlsExtra, extraYaml: extraYaml);
        File.WriteAllText(Path.Combine(policy.Directory, "mx.pem"), _ca.IssuePem("mx.gateway.test"));
        using var other = _ca.Issue("mail.other.test");
        File.WriteAllText(Path.Combine(policy.Directory, "other.crt"), _ca.ChainPem(other));
        File.WriteAllText(Path.Combine(policy.Directory, "other.key"), TestCertificateAuthority.KeyPem(other));
        return policy;
    }

    private static Task<(int ExitCode, string Output)> SClientAsync(IPEndPoint endPoint, params string[] args) =>
        SClientWithInputAsync(endPoint, string.Empty, args);

    /// <summary>openssl s_client with STARTTLS; <paramref name="input"/> is sent inside TLS (then EOF).</summary>
    private static Task<(int ExitCode, string Output)> SClientWithInputAsync(IPEndPoint endPoint, string input, params string[] args) =>
        ExternalTool.RunAsync(
            "openssl",
            ["s_client", "-starttls", "smtp", "-connect", $"{endPoint.Address}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}", "-showcerts", .. args],
            TimeSpan.FromSeconds(30),
            input: input);

    private static string Subject(string output) => SubjectPattern().Match(output) is { Success: true } m ? m.Groups[1].Value : "(none)";

    [Fact]
    public async Task Sni_picks_the_certificate_and_the_chain_is_served_over_tls_1_3()
    {
        await using var gateway = await GatewayProcess.StartAsync(TwoCertificates());

        var (exit, output) = await SClientAsync(gateway.SmtpEndPoint, "-servername", "mail.other.test", "-tls1_3");
        Assert.Equal(0, exit);
        Assert.Equal("mail.other.test", Subject(output));
        Assert.Contains("TLSv1.3", output, StringComparison.Ordinal);
        Assert.Matches(@"1 s:\s*CN\s*=\s*Gateway Test Intermediate CA", output);

        (_, output) = await SClientAsync(gateway.SmtpEndPoint, "-servername", "mx.gateway.test", "-tls1_3");
        Assert.Equal("mx.gateway.test", Subject(output));

        // No name or an unknown one: the first certificate.
        (_, output) = await SClientAsync(gateway.SmtpEndPoint, "-servername", "unknown.example", "-tls1_3");
        Assert.Equal("mx.gateway.test", Subject(output));
    }

    [Fact]
    public async Task Old_protocols_are_refused_and_strict_ciphers_refuse_suites_without_forward_secrecy()
    {
        await using (var system = await GatewayProcess.StartAsync(TwoCertificates()))
        {
            // The client is allowed to offer TLS 1.1 at all (OpenSSL 3 forbids it at its default level).
            var (refused, tls11) = await SClientAsync(system.SmtpEndPoint, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
            Assert.NotEqual(0, refused);
            Assert.DoesNotContain("Cipher is ECDHE", tls11, StringComparison.Ordinal);
        }

        await using var gateway = await GatewayProcess.StartAsync(TwoCertificates(tlsExtra: "\n  ciphers: strict"));
        var (exit, output) = await SClientAsync(gateway.SmtpEndPoint, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
        Assert.NotEqual(0, exit);
        Assert.DoesNotContain("Cipher is ECDHE", output, StringComparison.Ordinal);

        (exit, _) = await SClientAsync(gateway.SmtpEndPoint, "-tls1_2", "-cipher", "AES128-GCM-SHA256");
        Assert.NotEqual(0, exit);

        (exit, output) = await SClientAsync(gateway.SmtpEndPoint, "-tls1_2");
        Assert.Equal(0, exit);
        Assert.Matches(@"Cipher is ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)", output);
    }

    [Theory]
    [InlineData("-tls1_3")]
    [InlineData("-tls1_2")]
    public async Task A_client_resumes_its_tls_session_with_the_default_cipher_list(string protocol)
    {
        await using var gateway = await GatewayProcess.StartAsync(TwoCertificates());
        var session = Path.Combine(gateway.Policy.Directory, "session.pem");

        // The first connection gets a session (a TLS 1.3 ticket arrives after the handshake: s_client reads it while
        // waiting for the reply to QUIT); the second offers it back.
        var (exit, first) = await SClientWithInputAsync(gateway.SmtpEndPoint, "QUIT\r\n", protocol, "-ign_eof", "-sess_out", session);
        Assert.Equal(0, exit);
        Assert.Contains("New, TLS", first, StringComparison.Ordinal);

        var (again, second) = await SClientAsync(gateway.SmtpEndPoint, protocol, "-sess_in", session);
        Assert.True(again == 0, second);
        Assert.Contains("Reused, TLS", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replaced_certificate_file_is_served_to_the_next_connection_without_a_restart()
    {
        var policy = TwoCertificates();
        await using var gateway = await GatewayProcess.StartAsync(policy);
        var (_, before) = await SClientAsync(gateway.SmtpEndPoint, "-servername", "mx.gateway.test");
        Assert.Equal("mx.gateway.test", Subject(before));
        var pid = gateway.Pid;

        // Written next to it and renamed over it, as certbot and editors do.
        var file = Path.Combine(policy.Directory, "mx.pem");
        File.WriteAllText(file + ".new", _ca.IssuePem("renewed.gateway.test", "mx.gateway.test"));
        File.Move(file + ".new", file, overwrite: true);
        await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":130,", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":102,", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        var (_, after) = await SClientAsync(gateway.SmtpEndPoint, "-servername", "mx.gateway.test");
        Assert.Equal("renewed.gateway.test", Subject(after));
        Assert.Equal(pid, gateway.Pid);
        Assert.False(gateway.HasExited);
    }

    [Fact]
    public async Task Swaks_delivers_over_starttls_and_the_received_field_names_version_and_cipher()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var routes = $"delivery:\n  routes:\n    \"*\":\n      - host: 127.0.0.1\n        port: {sink.Port.ToString(CultureInfo.InvariantCulture)}\n";
        var policy = TwoCertificates(routes);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var (exit, output) = await ExternalTool.RunAsync(
            "swaks",
            [
                "--server", "127.0.0.1", "--port", gateway.SmtpEndPoint.Port.ToString(CultureInfo.InvariantCulture),
                "--ehlo", "client.example.org", "--from", "sender@example.org", "--to", "user@example.test",
                "--tls", "--tls-sni", "mail.other.test", "--timeout", "20",
            ],
            TimeSpan.FromSeconds(60));
        Assert.Equal(0, exit);
        Assert.Contains("<~  250 2.0.0 Ok: queued as ", output, StringComparison.Ordinal);

        var message = Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Matches(@"with ESMTPS[\s\S]*\(using TLSv1\.[23] with cipher TLS_[A-Z0-9_]+\)", message);

        var trace = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--config", policy.MainFile, "--from", "sender@example.org");
        Assert.Matches(@"tls=TLSv1\.[23] cipher=TLS_[A-Z0-9_]+", trace.StdOut);
        Assert.Contains(gateway.StandardOutput, l => l.Contains("\"EventId\":1070,", StringComparison.Ordinal) && CipherInLog().IsMatch(l));
    }

    [Theory]
    [InlineData("networks: [\"127.0.0.0/8\"]", "sender@example.org", null)]
    [InlineData("sender_domains: [partner.example, .bank.example]", "alice@partner.example", "alice@elsewhere.example")]
    [InlineData("sender_domains: [partner.example, .bank.example]", "alice@branch.bank.example", "alice@bank.example")]
    public async Task Configured_networks_and_sender_domains_must_start_tls_before_mail(string rule, string refused, string? allowed)
    {
        await using var gateway = await GatewayProcess.StartAsync(TwoCertificates(tlsExtra: "\n  require_for:\n    " + rule));
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
        await using var _ = client;

        await client.CommandAsync("EHLO client.example.org", 250);
        await client.CommandAsync($"MAIL FROM:<{refused}>", 530, "5.7.0");
        if (allowed is not null)
        {
            await client.CommandAsync($"MAIL FROM:<{allowed}>", 250);
            await client.CommandAsync("RSET", 250);
        }

        await client.CommandAsync("STARTTLS", 220);
        await client.StartTlsAsync("mx.gateway.test");
        await client.CommandAsync("EHLO client.example.org", 250);
        await client.CommandAsync($"MAIL FROM:<{refused}>", 250);
    }

    [Fact]
    public async Task Requiretls_is_offered_only_inside_tls_and_recorded_with_the_message()
    {
        var policy = TwoCertificates();
        await using var gateway = await GatewayProcess.StartAsync(policy);
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(gateway.SmtpEndPoint);
        await using var _ = client;

        var plain = await client.CommandAsync("EHLO client.example.org", 250);
        Assert.DoesNotContain("REQUIRETLS", plain.Lines);
        await client.CommandAsync("MAIL FROM:<sender@example.org> REQUIRETLS", 530, "5.7.10");
        await client.CommandAsync("STARTTLS", 220);
        await client.StartTlsAsync("mx.gateway.test");
        var secure = await client.CommandAsync("EHLO client.example.org", 250);
        Assert.Contains("REQUIRETLS", secure.Lines);

        var requireTls = await SendAsync(client, "MAIL FROM:<sender@example.org> REQUIRETLS", "TLS-Required: No\r\n");
        var tlsRequiredNo = await SendAsync(client, "MAIL FROM:<sender@example.org>", "TLS-Required: No\r\n");

        var shown = await QueueShowAsync(policy, requireTls);
        Assert.Contains("requiretls yes  tls-required-no no", shown, StringComparison.Ordinal);
        Assert.Contains("tls TLSv1.3 TLS_", shown, StringComparison.Ordinal);
        Assert.Contains("requiretls no  tls-required-no yes", await QueueShowAsync(policy, tlsRequiredNo), StringComparison.Ordinal);

        var trace = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "trace", "--config", policy.MainFile, "--id", requireTls);
        Assert.Contains("requiretls", trace.StdOut, StringComparison.Ordinal);
    }

    private static async Task<string> SendAsync(SmtpTestClient client, string mail, string headers)
    {
        await client.CommandAsync(mail, 250);
        await client.CommandAsync("RCPT TO:<user@example.test>", 250);
        await client.CommandAsync("DATA", 354);
        var reply = await client.CommandAsync(
            $"From: sender@example.org\r\nTo: user@example.test\r\nSubject: tls\r\nMessage-ID: <{Guid.NewGuid():N}@example.org>\r\n{headers}\r\nbody\r\n.", 250);
        return reply.Last[(reply.Last.LastIndexOf(' ') + 1)..];
    }

    private static async Task<string> QueueShowAsync(TestPolicy policy, string id) =>
        (await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "queue", "show", id, "--config", policy.MainFile)).StdOut;

    [GeneratedRegex(@"subject=\s*CN\s*=\s*([A-Za-z0-9.\-]+)")]
    private static partial Regex SubjectPattern();

    [GeneratedRegex(@"tls TLSv1\.[23] cipher TLS_[A-Z0-9_]+ ")]
    private static partial Regex CipherInLog();
}
