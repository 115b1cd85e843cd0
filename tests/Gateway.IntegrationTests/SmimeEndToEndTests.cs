using System.Net;
using Gateway.IntegrationTests.Authentication;
using Gateway.IntegrationTests.Fixtures;
using Gateway.Testing.Peers;

namespace Gateway.IntegrationTests;

/// <summary>
/// S/MIME on the real gateway, with a vault the command line made and an unseal-key file named in the policy:
/// outbound mail from a trusted client leaves signed and verifies with `openssl cms -verify`; inbound mail that
/// `openssl cms -encrypt` made for a vault key reaches the internal server decrypted and marked. Keys are made here.
/// </summary>
public sealed class SmimeEndToEndTests
{
    [Fact]
    public async Task Outbound_mail_is_signed_with_the_escrowed_key_and_verifies_with_openssl()
    {
        var mx = IPAddress.Parse("127.0.0.34");
        await using var sink = await SmtpSink.StartAsync(mx, 25);
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string> { ["remote.test"] = "@ MX 10 mx\nmx A 127.0.0.34\n" });
        var policy = new TestPolicy(trustedNetworks: ["127.0.0.2/32"], dnsServer: dns.EndPoint);
        var keyFile = await VaultAsync(policy, "example.test");
        policy.ExtraYaml = $"smime:\n  vault:\n    unseal_key_file: {keyFile}\n  sign:\n    senders: [\"@example.test\"]\n";
        policy.Write();
        var certificate = await ExportCertificateAsync(policy, "example.test");
        await using var gateway = await GatewayProcess.StartAsync(policy);

        await Mail.SwaksOutboundAsync(policy.SmtpPort, "Outbound body, signed on the way out.");

        var delivered = DkimPeer.MessageOfDump(Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30))));
        Assert.Contains("multipart/signed", delivered, StringComparison.Ordinal);
        var file = Path.Combine(policy.Directory, "delivered.eml");
        await File.WriteAllTextAsync(file, delivered);
        var content = Path.Combine(policy.Directory, "content.txt");
        var (verifyExit, verifyOutput) = await ExternalTool.RunAsync(
            "openssl", ["cms", "-verify", "-in", file, "-CAfile", certificate, "-purpose", "smimesign", "-out", content], TimeSpan.FromSeconds(30));
        Assert.True(verifyExit == 0, verifyOutput);
        Assert.Contains("Verification successful", verifyOutput, StringComparison.Ordinal);
        Assert.Contains("Outbound body, signed on the way out.", await File.ReadAllTextAsync(content), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outbound_mail_to_a_domain_that_requires_encryption_is_encrypted_to_the_certificate_in_ldap()
    {
        var mx = IPAddress.Parse("127.0.0.35");
        await using var sink = await SmtpSink.StartAsync(mx, 25);
        await using var dns = await KnotDns.StartAsync(new Dictionary<string, string> { ["remote.test"] = "@ MX 10 mx\nmx A 127.0.0.35\n" });
        await using var ldap = await Slapd.StartAsync();
        var policy = new TestPolicy(trustedNetworks: ["127.0.0.2/32"], dnsServer: dns.EndPoint);

        // The correspondent's own key and certificate, made by openssl; only the certificate goes into the directory.
        var config = Path.Combine(policy.Directory, "friend.cnf");
        await File.WriteAllTextAsync(config,
            "[req]\ndistinguished_name=dn\nprompt=no\nx509_extensions=ext\n[dn]\nCN=friend@remote.test\n" +
            "[ext]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n" +
            "extendedKeyUsage=emailProtection\nsubjectAltName=email:friend@remote.test\n");
        var key = Path.Combine(policy.Directory, "friend.key");
        var certificate = Path.Combine(policy.Directory, "friend.pem");
        var (reqExit, reqOutput) = await ExternalTool.RunAsync(
            "openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "30", "-config", config], TimeSpan.FromSeconds(60));
        Assert.True(reqExit == 0, reqOutput);
        using (var friend = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificate)))
        {
            await ldap.AddAsync($"dn: cn=friend,{ldap.Suffix}\nobjectClass: inetOrgPerson\ncn: friend\nsn: friend\nmail: friend@remote.test\n"
                + Slapd.Binary("userCertificate;binary", friend.RawData));
        }

        policy.ExtraYaml =
            "smime:\n  encrypt:\n    domains:\n      remote.test: required\n" +
            $"  directory:\n    ldap:\n      servers: [\"{ldap.Uri}\"]\n      base_dn: \"{ldap.Suffix}\"\n";
        policy.Write();
        await using var gateway = await GatewayProcess.StartAsync(policy);

        // Required and no certificate would be a 550 at RCPT: swaks succeeding means the directory answered.
        await Mail.SwaksOutboundAsync(policy.SmtpPort, "For the correspondent's eyes only.");

        var delivered = DkimPeer.MessageOfDump(Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30))));
        Assert.Contains("application/pkcs7-mime", delivered, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("correspondent's eyes", delivered, StringComparison.Ordinal);
        var file = Path.Combine(policy.Directory, "delivered.eml");
        await File.WriteAllTextAsync(file, delivered);
        var content = Path.Combine(policy.Directory, "content.txt");
        var (decryptExit, decryptOutput) = await ExternalTool.RunAsync(
            "openssl", ["cms", "-decrypt", "-in", file, "-inkey", key, "-recip", certificate, "-out", content], TimeSpan.FromSeconds(30));
        Assert.True(decryptExit == 0, decryptOutput);
        Assert.Contains("For the correspondent's eyes only.", await File.ReadAllTextAsync(content), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inbound_mail_encrypted_by_openssl_for_a_vault_key_reaches_the_internal_server_decrypted_and_marked()
    {
        await using var sink = await SmtpSink.StartAsync(IPAddress.Loopback);
        var policy = new TestPolicy(extraYaml: Mail.RouteToSink(sink));
        var keyFile = await VaultAsync(policy, "bob@example.test");
        policy.ExtraYaml = Mail.RouteToSink(sink) + $"smime:\n  vault:\n    unseal_key_file: {keyFile}\n";
        policy.Write();
        var certificate = await ExportCertificateAsync(policy, "bob@example.test");

        var body = Path.Combine(policy.Directory, "body.txt");
        await File.WriteAllTextAsync(body, "Content-Type: text/plain; charset=us-ascii\r\n\r\nThe quarterly figures, for Bob only.\r\n");
        var (encryptExit, encryptedBytes, encryptErrors) = await ExternalTool.RunRawAsync(
            "openssl",
            ["cms", "-encrypt", "-aes-256-gcm", "-in", body, "-from", "partner@sender.test", "-to", "bob@example.test", "-subject", "figures", certificate],
            TimeSpan.FromSeconds(30));
        Assert.True(encryptExit == 0, encryptErrors);
        var encrypted = System.Text.Encoding.ASCII.GetString(encryptedBytes);
        Assert.DoesNotContain("quarterly", encrypted, StringComparison.Ordinal);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var reply = await Mail.SendMessageAsync(gateway.SmtpEndPoint, "partner@sender.test", "bob@example.test", "Message-ID: <e2e-decrypt@sender.test>\r\n" + encrypted.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));
        Assert.Equal(250, reply.Code);

        var delivered = DkimPeer.MessageOfDump(Assert.Single(await sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30))));
        Assert.Contains("The quarterly figures, for Bob only.", delivered, StringComparison.Ordinal);
        Assert.Contains("X-Gateway-SMIME: decrypted", delivered, StringComparison.Ordinal);
        Assert.Contains("key=bob@example.test", delivered, StringComparison.Ordinal);
        Assert.DoesNotContain("application/pkcs7-mime", delivered, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A vault with an unseal-key file and one generated key, made with the command line as an officer would.</summary>
    private static async Task<string> VaultAsync(TestPolicy policy, string identity)
    {
        var keyFile = Path.Combine(policy.Directory, "unseal.key");
        var init = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "keys", "init", "--shares", "2", "--threshold", "2", "--unseal-key-file", keyFile, "--config", policy.MainFile);
        Assert.True(init.ExitCode == 0, init.StdOut + init.StdErr);
        var generate = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "keys", "generate", identity, "--unseal-key-file", keyFile, "--config", policy.MainFile);
        Assert.True(generate.ExitCode == 0, generate.StdOut + generate.StdErr);
        return keyFile;
    }

    private static async Task<string> ExportCertificateAsync(TestPolicy policy, string identity)
    {
        var export = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, "keys", "export-cert", identity, "--config", policy.MainFile);
        Assert.True(export.ExitCode == 0, export.StdErr);
        var path = Path.Combine(policy.Directory, identity + ".pem");
        await File.WriteAllTextAsync(path, export.StdOut);
        return path;
    }

}
