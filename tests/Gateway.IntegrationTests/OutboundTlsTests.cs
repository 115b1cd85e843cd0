using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing;
using Gateway.Testing.Peers;
using Gateway.Testing.Smtp;

namespace Gateway.IntegrationTests;

/// <summary>
/// The outbound TLS policy end to end: the real gateway delivers by MX to real Postfix smtpd peers on port 25 of
/// their own loopback addresses, finding them through a validating resolver in front of a DNSSEC-signed zone (DANE)
/// and an unsigned one. Certificates come from a CA made for the test, which the gateway trusts only where the
/// policy pins it (ca:). The peers, the DNS and one gateway are shared by the class; each test has its own
/// recipient domain, so its outcome is its own.
/// </summary>
public sealed class OutboundTlsTests : IClassFixture<OutboundTlsTests.Peers>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Peers _peers;

    public OutboundTlsTests(Peers peers) => _peers = peers;

    [Fact]
    public async Task Dane_ee_match_delivers()
    {
        var id = await SendAsync("user@good.signed.test");

        if (!await Peers.WaitForAsync(_peers.Good, "user@good.signed.test"))
        {
            Assert.Fail("not delivered to the DANE peer:\n" + await _peers.QueueShowAsync(id));
        }

        Assert.True(await _peers.Good.WaitForLogAsync("TLS connection established from", Patience));
    }

    [Fact]
    public async Task A_tlsa_mismatch_defers_and_queue_show_says_why()
    {
        var id = await SendAsync("user@bad.signed.test");

        var shown = await _peers.WaitForQueueAsync(id, "TLS required by DANE");
        Assert.Matches(@"recipient:\s+user@bad\.signed\.test\s+Pending\s+attempts [1-9]", shown);
        Assert.Contains("451 4.7.5 delivery to mx:bad.signed.test failed temporarily: TLS required by DANE: ", shown, StringComparison.Ordinal);
        Assert.Empty(await _peers.Bad.FindAsync("user@bad.signed.test"));
        var trace = await GatewayProcess.RunToCompletionAsync(_peers.Policy.Directory, null, "trace", "--config", _peers.Policy.MainFile, "--id", id);
        Assert.Contains("TLS required by DANE", trace.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsigned_zone_falls_back_to_may_and_takes_a_self_signed_certificate()
    {
        // The unsigned zone publishes a TLSA record that matches nothing: without DNSSEC it must not count.
        await SendAsync("user@self.plain.test");

        Assert.True(await Peers.WaitForAsync(_peers.SelfSigned, "user@self.plain.test"));
        Assert.True(await _peers.SelfSigned.WaitForLogAsync("TLS connection established from", Patience));
    }

    [Fact]
    public async Task Verify_defers_a_wrong_name_certificate_and_delivers_to_the_right_one()
    {
        var wrong = await SendAsync("user@wrongname.plain.test");
        await SendAsync("user@rightname.plain.test");

        Assert.True(await Peers.WaitForAsync(_peers.Good, "user@rightname.plain.test"));
        var shown = await _peers.WaitForQueueAsync(wrong, "TLS required by policy (verify): certificate name mismatch for mx.wrongname.plain.test");
        Assert.Matches(@"recipient:\s+user@wrongname\.plain\.test\s+Pending", shown);
        Assert.Empty(await _peers.WrongName.FindAsync("user@wrongname.plain.test"));
    }

    [Fact]
    public async Task Encrypt_refuses_a_peer_without_starttls()
    {
        var id = await SendAsync("user@plaintext.plain.test");

        var shown = await _peers.WaitForQueueAsync(id, "TLS required by policy (encrypt): STARTTLS not offered by mx.plaintext.plain.test");

        // The host never said this: our own TLS policy refused it, and neither queue show nor trace may read as if it had.
        Assert.Contains("remote mx.plaintext.plain.test  ours: 451 4.7.4", shown, StringComparison.Ordinal);
        var trace = await _peers.WaitForTraceAsync(id, "deferred");
        Assert.Contains("remote=mx.plaintext.plain.test reply=\"ours: 451 4.7.4", trace, StringComparison.Ordinal);
        Assert.Empty(await _peers.Plaintext.FindAsync("user@plaintext.plain.test"));
    }

    [Fact]
    public async Task Tls_required_no_delivers_past_a_tlsa_mismatch()
    {
        // RFC 8689 4: the sender asked that the recipient's DANE policy be ignored for this message.
        await SendAsync("ignore@bad.signed.test", "TLS-Required: No\r\n");

        Assert.True(await Peers.WaitForAsync(_peers.Bad, "ignore@bad.signed.test"));
    }

    [Fact]
    public async Task Requiretls_mail_to_a_destination_without_a_verified_path_fails_and_its_notice_never_travels_in_plaintext()
    {
        var id = await SendRequireTlsAsync("requiretls@self.plain.test");

        // RFC 8689 5: no DANE, no MTA-STS, no verify entry: nothing may carry it, so it fails at once.
        var trace = await _peers.WaitForTraceAsync(id, "550 5.7.10");
        Assert.Contains("notice", trace, StringComparison.Ordinal);
        Assert.Empty(await _peers.SelfSigned.FindAsync("requiretls@self.plain.test"));
        await _peers.AssertNoNoticeAsync("requiretls@self.plain.test");
    }

    [Fact]
    public async Task Requiretls_mail_over_dane_to_a_server_without_requiretls_fails_with_5_7_30()
    {
        // The DANE peer is authenticated, but Postfix does not offer REQUIRETLS: it could not keep the promise.
        var id = await SendRequireTlsAsync("requiretls@good.signed.test");

        await _peers.WaitForTraceAsync(id, "550 5.7.30");
        Assert.Empty(await _peers.Good.FindAsync("requiretls@good.signed.test"));
        await _peers.AssertNoNoticeAsync("requiretls@good.signed.test");
    }

    /// <summary>
    /// Sends one message with MAIL FROM ... REQUIRETLS (offered inside TLS only) from someone@sender.plain.test;
    /// returns the queue id. The sender's own MX (a plaintext sink) has no verified path either, so the notice
    /// about a failure, which travels under REQUIRETLS too (RFC 8689 5), must never reach it.
    /// </summary>
    private async Task<string> SendRequireTlsAsync(string recipient)
    {
        var (client, _) = await SmtpTestClient.ConnectAndGreetAsync(_peers.Gateway.SmtpEndPoint);
        await using var _ = client;
        await client.CommandAsync("EHLO client.example.org", 250);
        await client.CommandAsync("STARTTLS", 220);
        await client.StartTlsAsync("mx.gateway.test");
        await client.CommandAsync("EHLO client.example.org", 250);
        await client.CommandAsync("MAIL FROM:<someone@sender.plain.test> REQUIRETLS", 250);
        await client.CommandAsync($"RCPT TO:<{recipient}>", 250);
        await client.CommandAsync("DATA", 354);
        var reply = await client.CommandAsync(
            $"From: someone@sender.plain.test\r\nTo: {recipient}\r\nSubject: secret\r\nMessage-ID: <{Guid.NewGuid():N}@sender.plain.test>\r\n\r\nbody\r\n.", 250);
        return reply.Last[(reply.Last.LastIndexOf(' ') + 1)..];
    }

    /// <summary>Sends one message to <paramref name="recipient"/> through the gateway; the queue id from the 250.</summary>
    private async Task<string> SendAsync(string recipient, string? extraHeaders = null)
    {
        var reply = await Mail.SendAsync(_peers.Gateway.SmtpEndPoint, "staff@example.test", [recipient], $"{Guid.NewGuid():N}@example.test", extraHeaders: extraHeaders);
        Assert.Equal(250, reply.Code);
        return reply.Last[(reply.Last.LastIndexOf(' ') + 1)..];
    }

    /// <summary>
    /// The peers on 127.0.0.71-76 port 25, the DNS, the CA and one gateway for the class. Starting Postfix, signing
    /// a zone and starting the gateway cost seconds each; the tests only send a message each.
    /// </summary>
    public sealed class Peers : IAsyncLifetime
    {
        private readonly List<IAsyncDisposable> _started = [];
        private TestCertificateAuthority? _ca;
        private GatewayProcess? _gateway;

        /// <summary>DANE-matched, and the right name for "verify": mx.good.signed.test and mx.rightname.plain.test.</summary>
        public PostfixServer Good { get; private set; } = null!;

        /// <summary>Under a TLSA record for another key.</summary>
        public PostfixServer Bad { get; private set; } = null!;

        /// <summary>A self-signed certificate, in the unsigned zone.</summary>
        public PostfixServer SelfSigned { get; private set; } = null!;

        /// <summary>A certificate from the pinned CA, but for another name than its MX name.</summary>
        public PostfixServer WrongName { get; private set; } = null!;

        /// <summary>No STARTTLS at all.</summary>
        public PostfixServer Plaintext { get; private set; } = null!;

        /// <summary>The sender domain's MX, where failure notices arrive.</summary>
        public SmtpSink SenderSink { get; private set; } = null!;

        public GatewayProcess Gateway => _gateway ?? throw new InvalidOperationException("fixture not started");

        public TestPolicy Policy => Gateway.Policy;

        public async Task InitializeAsync()
        {
            try
            {
                await StartAsync();
            }
            catch
            {
                // xUnit does not dispose a fixture whose start failed: stop what did start.
                await DisposeAsync();
                throw;
            }
        }

        private async Task StartAsync()
        {
            _ca = new TestCertificateAuthority();
            using var good = _ca.Issue("mx.good.signed.test", "mx.rightname.plain.test");
            using var bad = _ca.Issue("mx.bad.signed.test");
            using var otherKey = _ca.Issue("mx.bad.signed.test");
            using var selfSigned = TestCertificates.Create("mx.self.plain.test");
            using var wrongName = _ca.Issue("not-the-mx.plain.test");

            // Started together: each takes a second or two, mostly waiting.
            var peers = new[]
            {
                StartPostfixAsync("127.0.0.71", _ca.ChainPem(good), TestCertificateAuthority.KeyPem(good)),
                StartPostfixAsync("127.0.0.72", _ca.ChainPem(bad), TestCertificateAuthority.KeyPem(bad)),
                StartPostfixAsync("127.0.0.73", selfSigned.ExportCertificatePem() + "\n", TestCertificateAuthority.KeyPem(selfSigned)),
                StartPostfixAsync("127.0.0.74", _ca.ChainPem(wrongName), TestCertificateAuthority.KeyPem(wrongName)),
                StartPostfixAsync("127.0.0.75", null, null),
            };
            await Task.WhenAll(peers);
            (Good, Bad, SelfSigned, WrongName, Plaintext) = (peers[0].Result, peers[1].Result, peers[2].Result, peers[3].Result, peers[4].Result);
            SenderSink = await SmtpSink.StartAsync(IPAddress.Parse("127.0.0.76"), 25);
            _started.Add(SenderSink);

            var signed = string.Join('\n',
                "good MX 10 mx.good",
                "mx.good A 127.0.0.71",
                $"_25._tcp.mx.good TLSA 3 1 1 {Spki(good)}",
                "bad MX 10 mx.bad",
                "mx.bad A 127.0.0.72",
                $"_25._tcp.mx.bad TLSA 3 1 1 {Spki(otherKey)}");
            var plain = string.Join('\n',
                "self MX 10 mx.self",
                "mx.self A 127.0.0.73",
                $"_25._tcp.mx.self TLSA 3 1 1 {Spki(otherKey)}",
                "wrongname MX 10 mx.wrongname",
                "mx.wrongname A 127.0.0.74",
                "rightname MX 10 mx.rightname",
                "mx.rightname A 127.0.0.71",
                "plaintext MX 10 mx.plaintext",
                "mx.plaintext A 127.0.0.75",
                "sender MX 10 mx.sender",
                "mx.sender A 127.0.0.76");
            var dns = await ValidatingDns.StartAsync(
            [
                new DnssecZone("signed.test", signed, DnssecState.Secure),
                new DnssecZone("plain.test", plain, DnssecState.Insecure),
            ]);
            _started.Add(dns);

            var policy = new TestPolicy(
                trustedNetworks: ["127.0.0.0/8"],
                dnsServer: dns.EndPoint,
                dnssecValidating: true);
            var caFile = Path.Combine(policy.Directory, "peers-ca.pem");
            await File.WriteAllTextAsync(caFile, _ca.Root.ExportCertificatePem() + "\n" + _ca.Intermediate.ExportCertificatePem() + "\n");
            policy.ExtraYaml =
                $"""
                delivery:
                  retry:
                    first: 1s
                    max: 2s
                  tls:
                    destinations:
                      wrongname.plain.test:
                        level: verify
                        ca: {caFile}
                      rightname.plain.test:
                        level: verify
                        ca: {caFile}
                      plaintext.plain.test: encrypt
                """;
            policy.Write();
            _gateway = await GatewayProcess.StartAsync(policy);
        }

        public async Task DisposeAsync()
        {
            if (_gateway is not null)
            {
                await _gateway.DisposeAsync();
            }

            for (var i = _started.Count - 1; i >= 0; i--)
            {
                await _started[i].DisposeAsync();
            }

            _ca?.Dispose();
        }

        private async Task<PostfixServer> StartPostfixAsync(string address, string? certificatePem, string? keyPem)
        {
            var peer = await PostfixServer.StartAsync(IPAddress.Parse(address), certificatePem, keyPem, port: 25);
            lock (_started)
            {
                _started.Add(peer);
            }

            return peer;
        }

        /// <summary>Polls the peer's queue until it holds a message for the recipient.</summary>
        public static async Task<bool> WaitForAsync(PostfixServer peer, string recipient)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (DateTime.UtcNow < deadline)
            {
                if ((await peer.FindAsync(recipient)).Count > 0)
                {
                    return true;
                }

                await Task.Delay(200);
            }

            return false;
        }

        /// <summary>Polls `gateway trace --id` until it shows <paramref name="expected"/>; the trace text.</summary>
        public async Task<string> WaitForTraceAsync(string id, string expected)
        {
            var deadline = DateTime.UtcNow + Patience;
            var text = string.Empty;
            while (DateTime.UtcNow < deadline)
            {
                (_, text, _) = await GatewayProcess.RunToCompletionAsync(Policy.Directory, null, "trace", "--config", Policy.MainFile, "--id", id);
                if (text.Contains(expected, StringComparison.Ordinal))
                {
                    return text;
                }

                await Task.Delay(300);
            }

            Assert.Fail($"the trace of {id} never showed '{expected}':\n{text}");
            return text;
        }

        /// <summary>The sender's plaintext MX gets no notice about <paramref name="recipient"/> (waits for the notice's own attempt).</summary>
        public async Task AssertNoNoticeAsync(string recipient)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.DoesNotContain(SenderSink.Messages(), m => Regex.IsMatch(m, $"Final-Recipient: rfc822; ?{Regex.Escape(recipient)}"));
        }

        public async Task<string> QueueShowAsync(string id) =>
            (await GatewayProcess.RunToCompletionAsync(Policy.Directory, null, "queue", "show", id, "--config", Policy.MainFile)).StdOut;

        /// <summary>Polls `gateway queue show` until the message's state mentions <paramref name="text"/>.</summary>
        public async Task<string> WaitForQueueAsync(string id, string text)
        {
            var deadline = DateTime.UtcNow + Patience;
            var shown = string.Empty;
            while (DateTime.UtcNow < deadline)
            {
                shown = await QueueShowAsync(id);
                if (shown.Contains(text, StringComparison.Ordinal))
                {
                    return shown;
                }

                await Task.Delay(300);
            }

            Assert.Fail($"queue show {id} never said \"{text}\":\n{shown}\n{string.Join("\n", Gateway.StandardOutput.TakeLast(20))}");
            return shown;
        }

        /// <summary>RFC 7671 5.1: the SHA-256 of the SubjectPublicKeyInfo, as a TLSA 3 1 1 record carries it.</summary>
        private static string Spki(X509Certificate2 certificate) =>
            Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
    }
}
