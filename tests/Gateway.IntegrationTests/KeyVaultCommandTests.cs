using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gateway.IntegrationTests.Fixtures;

namespace Gateway.IntegrationTests;

/// <summary>
/// `gateway keys …` and `gateway audit verify` as an officer runs them: against the vault directory, and against a
/// running gateway over its control socket. Every key is made here, at test time.
/// </summary>
public sealed class KeyVaultCommandTests
{
    private static Task<(int ExitCode, string StdOut, string StdErr)> GatewayAsync(TestPolicy policy, string? stdin, params string[] args) =>
        GatewayProcess.RunToCompletionAsync(policy.Directory, stdin, [.. args, "--config", policy.MainFile]);

    private static async Task<IReadOnlyList<string>> InitAsync(TestPolicy policy, int shares, int threshold)
    {
        var (exit, stdout, stderr) = await GatewayAsync(policy, null, "keys", "init", "--shares", shares.ToString(System.Globalization.CultureInfo.InvariantCulture), "--threshold", threshold.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(exit == 0, stdout + stderr);
        return [.. stdout.Split('\n').Where(l => l.StartsWith("officer ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..])];
    }

    private static string Lines(params string[] lines) => string.Join('\n', lines) + "\n";

    [Fact]
    public async Task Init_prints_every_share_once_with_instructions_and_refuses_a_second_vault()
    {
        var policy = new TestPolicy();
        var (exit, stdout, stderr) = await GatewayAsync(policy, null, "keys", "init", "--shares", "4", "--threshold", "3");

        Assert.True(exit == 0, stdout + stderr);
        var shares = stdout.Split('\n').Where(l => l.StartsWith("officer ", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, shares.Count);
        Assert.Equal(4, shares.Distinct().Count());
        Assert.All(shares, s => Assert.Contains(": gw-share-", s, StringComparison.Ordinal));
        Assert.Contains("different officer", stdout, StringComparison.Ordinal);
        Assert.Contains("shown this once", stdout, StringComparison.Ordinal);
        Assert.Empty(stderr);

        var again = await GatewayAsync(policy, null, "keys", "init", "--shares", "4", "--threshold", "3");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("gw-share-", again.StdOut + again.StdErr, StringComparison.Ordinal);

        var usage = await GatewayAsync(new TestPolicy(), null, "keys", "init", "--shares", "2", "--threshold", "3");
        Assert.Equal(2, usage.ExitCode);
    }

    [Fact]
    public async Task Keys_unseal_and_seal_the_running_gateway_through_its_owner_only_control_socket()
    {
        var policy = new TestPolicy();
        var shares = await InitAsync(policy, 3, 2);
        await using var gateway = await GatewayProcess.StartAsync(policy);

        var socket = Path.Combine(policy.Directory, "var", "control.sock");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
        Assert.Contains("state:     sealed", (await GatewayAsync(policy, null, "keys", "status")).StdOut, StringComparison.Ordinal);

        var tooFew = await GatewayAsync(policy, Lines(shares[0]), "keys", "unseal");
        Assert.Equal(1, tooFew.ExitCode);
        Assert.Contains("unseal refused: 1 shares given, 2 needed", tooFew.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(shares[0], tooFew.StdOut + tooFew.StdErr, StringComparison.Ordinal);
        Assert.Contains("state:     sealed", (await GatewayAsync(policy, null, "keys", "status")).StdOut, StringComparison.Ordinal);

        var unseal = await GatewayAsync(policy, Lines(shares[2], shares[0]), "keys", "unseal");
        Assert.True(unseal.ExitCode == 0, unseal.StdOut + unseal.StdErr);
        Assert.Contains("unsealed in the running gateway", unseal.StdOut, StringComparison.Ordinal);
        var status = await GatewayAsync(policy, null, "keys", "status");
        Assert.Contains("state:     unsealed", status.StdOut, StringComparison.Ordinal);
        Assert.Contains("officers:  any 2 of 3 shares unseal", status.StdOut, StringComparison.Ordinal);

        var seal = await GatewayAsync(policy, null, "keys", "seal");
        Assert.True(seal.ExitCode == 0, seal.StdOut + seal.StdErr);
        Assert.Contains("state:     sealed", (await GatewayAsync(policy, null, "keys", "status")).StdOut, StringComparison.Ordinal);

        // The vault audited each step with the peer's uid as the actor; the gateway's log names no share.
        var audit = await File.ReadAllTextAsync(Path.Combine(policy.Directory, "var", "smime", "vault", "audit.log"));
        Assert.Contains("\"actor\":\"control-socket uid ", audit, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"vault.unseal-refused\"", audit, StringComparison.Ordinal);
        Assert.All(shares, s => Assert.DoesNotContain(s, string.Join('\n', gateway.StandardOutput), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_configured_unseal_key_file_unseals_at_start_and_a_bad_one_leaves_the_gateway_running_sealed()
    {
        var policy = new TestPolicy();
        var keyFile = Path.Combine(policy.Directory, "unseal.key");
        var init = await GatewayAsync(policy, null, "keys", "init", "--shares", "2", "--threshold", "2", "--unseal-key-file", keyFile);
        Assert.True(init.ExitCode == 0, init.StdOut + init.StdErr);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));

        await using (var gateway = await GatewayProcess.StartAsync(policy, new Dictionary<string, string> { ["GATEWAY_VAULT_UNSEAL_KEY_FILE"] = keyFile }))
        {
            Assert.Contains("state:     unsealed", (await GatewayAsync(policy, null, "keys", "status")).StdOut, StringComparison.Ordinal);
            Assert.Equal(0, (await GatewayAsync(policy, null, "keys", "seal")).ExitCode);

            // No shares on standard input: the gateway unseals the way it is configured to.
            var unseal = await GatewayAsync(policy, string.Empty, "keys", "unseal");
            Assert.True(unseal.ExitCode == 0, unseal.StdOut + unseal.StdErr);
        }

        var wrongKey = Path.Combine(policy.Directory, "other.key");
        var other = new TestPolicy();
        Assert.Equal(0, (await GatewayAsync(other, null, "keys", "init", "--shares", "2", "--threshold", "2", "--unseal-key-file", wrongKey)).ExitCode);
        await using (var gateway = await GatewayProcess.StartAsync(policy, new Dictionary<string, string> { ["GATEWAY_VAULT_UNSEAL_KEY_FILE"] = wrongKey }))
        {
            await gateway.WaitForLogAsync(l => l.Contains("\"EventId\":173,", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
            Assert.Contains("state:     sealed", (await GatewayAsync(policy, null, "keys", "status")).StdOut, StringComparison.Ordinal);
            var refused = await GatewayAsync(policy, string.Empty, "keys", "unseal");
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("is not an unseal key of this vault", refused.StdErr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_vault_sealed_to_a_softhsm_token_unseals_the_running_gateway_from_the_token()
    {
        // The PKCS#11 module is driven through the gateway's own binding in the executable under test (in CI the
        // native-AOT build the appliance ships); a token made here with softhsm2-util.
        var policy = new TestPolicy();
        var tokens = Path.Combine(policy.Directory, "tokens");
        Directory.CreateDirectory(tokens);
        var softHsmConfig = Path.Combine(policy.Directory, "softhsm2.conf");
        await File.WriteAllTextAsync(softHsmConfig, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n");
        var pinFile = Path.Combine(policy.Directory, "token.pin");
        await File.WriteAllTextAsync(pinFile, "4711-test");
        var initToken = new ProcessStartInfo("softhsm2-util", ["--init-token", "--free", "--label", "vault", "--so-pin", "0815-so", "--pin", "4711-test"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        initToken.Environment["SOFTHSM2_CONF"] = softHsmConfig;
        using (var util = Process.Start(initToken)!)
        {
            var output = await util.StandardOutput.ReadToEndAsync() + await util.StandardError.ReadToEndAsync();
            await util.WaitForExitAsync();
            Assert.True(util.ExitCode == 0, output);
        }

        var environment = new Dictionary<string, string> { ["SOFTHSM2_CONF"] = softHsmConfig };
        const string Module = "/usr/lib/softhsm/libsofthsm2.so";
        var init = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, environment,
            "keys", "init", "--shares", "2", "--threshold", "2", "--pkcs11-module", Module, "--pkcs11-token", "vault", "--pkcs11-pin-file", pinFile, "--config", policy.MainFile);
        Assert.True(init.ExitCode == 0, init.StdOut + init.StdErr);
        Assert.Contains("pkcs11:vault/gateway-vault", (await GatewayAsync(policy, null, "keys", "status")).StdOut, StringComparison.Ordinal);

        var wrongPin = Path.Combine(policy.Directory, "wrong.pin");
        await File.WriteAllTextAsync(wrongPin, "0000");
        var refused = await GatewayProcess.RunToCompletionAsync(policy.Directory, null, environment,
            "keys", "generate", "a@example.test", "--pkcs11-module", Module, "--pkcs11-token", "vault", "--pkcs11-pin-file", wrongPin, "--config", policy.MainFile);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("C_Login returned CKR_PIN_INCORRECT", refused.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("0000", refused.StdOut + refused.StdErr, StringComparison.Ordinal);

        var startEnvironment = new Dictionary<string, string>(environment)
        {
            ["GATEWAY_VAULT_PKCS11_MODULE"] = Module,
            ["GATEWAY_VAULT_PKCS11_TOKEN"] = "vault",
            ["GATEWAY_VAULT_PKCS11_PIN_FILE"] = pinFile,
        };
        await using var gateway = await GatewayProcess.StartAsync(policy, startEnvironment);
        Assert.Contains("state:     unsealed", (await GatewayAsync(policy, null, "keys", "status")).StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_control_endpoints_do_not_exist_on_the_tcp_admin_listener()
    {
        var policy = new TestPolicy();
        await InitAsync(policy, 2, 2);
        await using var gateway = await GatewayProcess.StartAsync(policy);
        using var http = new HttpClient { BaseAddress = policy.AdminUri };

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("vault/status", UriKind.Relative))).StatusCode);
        using var empty = new StringContent(string.Empty);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri("vault/unseal", UriKind.Relative), empty)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri("vault/seal", UriKind.Relative), empty)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("health", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Status_reads_the_vault_directory_when_no_gateway_runs()
    {
        var policy = new TestPolicy();
        var none = await GatewayAsync(policy, null, "keys", "status");
        Assert.Equal(0, none.ExitCode);
        Assert.Contains("no key vault", none.StdOut, StringComparison.Ordinal);

        await InitAsync(policy, 3, 2);
        var (exit, stdout, _) = await GatewayAsync(policy, null, "keys", "status");
        Assert.Equal(0, exit);
        Assert.Contains("state:     sealed (the gateway is not running)", stdout, StringComparison.Ordinal);
        Assert.Contains("keys:      0", stdout, StringComparison.Ordinal);

        var unseal = await GatewayAsync(policy, null, "keys", "unseal");
        Assert.Equal(1, unseal.ExitCode);
        Assert.Contains("the gateway is not running", unseal.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_list_export_cert_and_recover_a_pkcs12_key()
    {
        var policy = new TestPolicy();
        var shares = await InitAsync(policy, 3, 2);
        using var original = CreateSmimeCertificate("bob@example.test");
        var p12 = Path.Combine(policy.Directory, "bob.p12");
        await File.WriteAllBytesAsync(p12, original.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, "import-secret"));

        // Shares first, then the PKCS#12 password, all on standard input.
        var import = await GatewayAsync(policy, Lines(shares[0], shares[1], "import-secret"), "keys", "import", "bob@example.test", p12);
        Assert.True(import.ExitCode == 0, import.StdOut + import.StdErr);
        Assert.Contains("bob@example.test", import.StdOut, StringComparison.Ordinal);

        var list = await GatewayAsync(policy, null, "keys", "list");
        Assert.Equal(0, list.ExitCode);
        var row = Assert.Single(list.StdOut.Split('\n'), l => l.StartsWith("bob@example.test", StringComparison.Ordinal));
        Assert.Contains(original.SerialNumber, row, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(original.GetCertHash(HashAlgorithmName.SHA256)), row, StringComparison.Ordinal);

        var json = await GatewayAsync(policy, null, "keys", "list", "--json");
        using (var document = JsonDocument.Parse(json.StdOut))
        {
            var entry = Assert.Single(document.RootElement.EnumerateArray());
            Assert.Equal("bob@example.test", entry.GetProperty("identity").GetString());
            Assert.Equal("user", entry.GetProperty("kind").GetString());
            Assert.Equal(original.SerialNumber, entry.GetProperty("serial").GetString());
        }

        var export = await GatewayAsync(policy, null, "keys", "export-cert", "bob@example.test");
        Assert.Equal(0, export.ExitCode);
        using (var exported = X509Certificate2.CreateFromPem(export.StdOut))
        {
            Assert.Equal(original.Thumbprint, exported.Thumbprint);
            Assert.False(exported.HasPrivateKey);
        }

        var refused = await GatewayAsync(policy, Lines(shares[1], "export-secret"), "keys", "recover", "bob@example.test", "--out", Path.Combine(policy.Directory, "no.p12"));
        Assert.Equal(1, refused.ExitCode);
        Assert.False(File.Exists(Path.Combine(policy.Directory, "no.p12")));

        var recovered = Path.Combine(policy.Directory, "recovered.p12");
        var recover = await GatewayAsync(policy, Lines(shares[2], shares[1], "export-secret"), "keys", "recover", "bob@example.test", "--out", recovered);
        Assert.True(recover.ExitCode == 0, recover.StdOut + recover.StdErr);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(recovered));
        var (opensslExit, opensslOut) = await OpensslAsync("pkcs12", "-in", recovered, "-passin", "pass:export-secret", "-nodes");
        Assert.True(opensslExit == 0, opensslOut);
        Assert.Contains("-----BEGIN PRIVATE KEY-----", opensslOut, StringComparison.Ordinal);
        using (var back = X509CertificateLoader.LoadPkcs12FromFile(recovered, "export-secret"))
        {
            Assert.Equal(original.Thumbprint, back.Thumbprint);
            using var key = back.GetRSAPrivateKey()!;
            using var publicKey = original.GetRSAPublicKey()!;
            byte[] data = [1, 2, 3];
            var signature = key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            Assert.True(publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        var audit = await GatewayAsync(policy, null, "audit", "verify");
        Assert.True(audit.ExitCode == 0, audit.StdOut + audit.StdErr);
        Assert.Contains("intact", audit.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_escrows_a_new_key_with_the_shares_it_reads()
    {
        var policy = new TestPolicy();
        var shares = await InitAsync(policy, 2, 2);
        var generate = await GatewayAsync(policy, Lines(shares[0], shares[1]), "keys", "generate", "example.test", "--algorithm", "p256");
        Assert.True(generate.ExitCode == 0, generate.StdOut + generate.StdErr);

        var export = await GatewayAsync(policy, null, "keys", "export-cert", "example.test");
        using var certificate = X509Certificate2.CreateFromPem(export.StdOut);
        Assert.NotNull(certificate.GetECDsaPublicKey());
    }

    [Fact]
    public async Task The_policy_the_gateway_starts_with_and_each_applied_change_are_in_the_audit_chain()
    {
        var policy = new TestPolicy();
        await InitAsync(policy, 2, 2);
        var log = Path.Combine(policy.Directory, "var", "smime", "vault", "audit.log");
        await using var gateway = await GatewayProcess.StartAsync(policy);
        var loaded = await WaitForAuditAsync(log, "policy.load");
        Assert.Contains("\"smime\":\"disabled\"", loaded, StringComparison.Ordinal);
        Assert.Contains(FileDigest(policy.MainFile), loaded, StringComparison.Ordinal);

        policy.ExtraYaml = "smime:\n  sign:\n    senders: [\"@example.test\"]\n";
        policy.Write();
        var changed = await WaitForAuditAsync(log, "policy.change");
        Assert.Contains("\"smime\":\"enabled\"", changed, StringComparison.Ordinal);
        Assert.Contains(FileDigest(policy.MainFile), changed, StringComparison.Ordinal);

        var verify = await GatewayAsync(policy, null, "audit", "verify");
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);

        // A policy with errors is not applied, so it is not recorded either.
        await File.AppendAllTextAsync(policy.MainFile, "no_such_key: 1\n");
        await gateway.WaitForLogAsync(l => l.Contains("no_such_key", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Single(await File.ReadAllLinesAsync(log), l => l.Contains("\"action\":\"policy.change\"", StringComparison.Ordinal));
    }

    private static string FileDigest(string path) => "sha256=" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static async Task<string> WaitForAuditAsync(string log, string action)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var line = File.Exists(log)
                ? (await File.ReadAllLinesAsync(log)).LastOrDefault(l => l.Contains($"\"action\":\"{action}\"", StringComparison.Ordinal))
                : null;
            if (line is not null)
            {
                return line;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no {action} entry in {log}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Audit_verify_reports_the_head_and_names_a_tampered_line()
    {
        var policy = new TestPolicy();
        var shares = await InitAsync(policy, 2, 2);
        Assert.Equal(0, (await GatewayAsync(policy, Lines(shares[0], shares[1]), "keys", "generate", "carol@example.test", "--algorithm", "p256")).ExitCode);

        var intact = await GatewayAsync(policy, null, "audit", "verify");
        Assert.True(intact.ExitCode == 0, intact.StdOut + intact.StdErr);
        Assert.Matches(@"intact, \d+ entries, head [0-9a-f]{64}", intact.StdOut);

        var log = Path.Combine(policy.Directory, "var", "smime", "vault", "audit.log");
        var lines = await File.ReadAllLinesAsync(log);
        var target = Array.FindIndex(lines, l => l.Contains("\"action\":\"key.generate\"", StringComparison.Ordinal));
        lines[target] = lines[target].Replace("carol@example.test", "mallory@example.test", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(log, lines);

        var broken = await GatewayAsync(policy, null, "audit", "verify");
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains($"BROKEN at line {target + 1}:", broken.StdOut, StringComparison.Ordinal);
    }

    /// <summary>An S/MIME user certificate with its RSA key: rfc822Name and email protection, self-signed.</summary>
    private static X509Certificate2 CreateSmimeCertificate(string address)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={address}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddEmailAddress(address);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.4")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
    }

    private static async Task<(int ExitCode, string Output)> OpensslAsync(params string[] args)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
