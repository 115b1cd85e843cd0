using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Smime.Audit;
using Gateway.Smime.Escrow;
using Gateway.Smime.Vault;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Smime.Tests.Vault;

public sealed class KeyVaultTests : IDisposable
{
    private static readonly VaultIdentity Alice = VaultIdentity.Parse("Alice@Example.org");
    private static readonly VaultIdentity Bob = VaultIdentity.Parse("bob@example.org");
    private static readonly VaultIdentity Domain = VaultIdentity.Parse("example.org");

    private readonly TempDirectory _directory = new("gw-vault");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 3, 0, 0, TimeSpan.Zero));

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Initialize_returns_the_shares_once_and_leaves_the_vault_unsealed()
    {
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(5, 3, "setup", default);

        Assert.Equal(5, init.Shares.Count);
        Assert.All(init.Shares, s => Assert.Equal(3, s.Threshold));
        Assert.False(vault.IsSealed);
        var status = await vault.GetStatusAsync(default);
        Assert.Equal((true, false, 3, 5), (status.IsInitialized, status.IsSealed, status.Threshold, status.ShareCount));
        Assert.Equal([$"shamir:{init.Shares[0].SetId}"], status.Sealers);

        // No share is written anywhere in the vault directory.
        var files = string.Concat(Directory.GetFiles(_directory.Path, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.All(init.Shares, s => Assert.DoesNotContain(s.Encode().Split('-')[5], files, StringComparison.Ordinal));

        await Assert.ThrowsAsync<VaultException>(() => vault.InitializeAsync(5, 3, "setup", default));
    }

    [Fact]
    public async Task Any_threshold_of_shares_unseals_and_fewer_do_not()
    {
        string[] shares;
        using (var vault = NewVault())
        using (var init = await vault.InitializeAsync(4, 3, "setup", default))
        {
            shares = [.. init.Shares.Select(s => s.Encode())];
            await vault.GenerateAsync(Alice, VaultKeyAlgorithm.EcP256, "setup", default);
        }

        foreach (var subset in new[] { new[] { 0, 1, 2 }, [0, 1, 3], [0, 2, 3], [1, 2, 3], [3, 1, 0, 2] })
        {
            using var vault = NewVault();
            Assert.True(vault.IsSealed);
            await vault.UnsealWithSharesAsync([.. subset.Select(i => shares[i])], "officers", default);
            Assert.False(vault.IsSealed);
            using var lease = await vault.OpenPrivateKeyAsync(Alice, default);
            Assert.NotNull(lease);
        }

        using (var vault = NewVault())
        {
            var error = await Assert.ThrowsAsync<ShareException>(() => vault.UnsealWithSharesAsync([shares[0], shares[2]], "officers", default));
            Assert.Equal("2 shares given, 3 needed", error.Message);
            Assert.True(vault.IsSealed);
            await Assert.ThrowsAsync<VaultSealedException>(() => vault.OpenPrivateKeyAsync(Alice, default));
        }
    }

    [Fact]
    public async Task Shares_of_another_vault_and_mistyped_shares_are_refused_and_audited()
    {
        using var other = new KeyVault(_directory.File("other"), _time);
        using var otherInit = await other.InitializeAsync(3, 2, "setup", default);
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(3, 2, "setup", default);
        await vault.SealAsync("setup", default);

        var foreign = await Assert.ThrowsAsync<ShareException>(() => vault.UnsealWithSharesAsync([otherInit.Shares[0].Encode(), otherInit.Shares[1].Encode()], "mallory", default));
        Assert.Contains("does not belong to this vault", foreign.Message, StringComparison.Ordinal);

        var typo = init.Shares[1].Encode();
        typo = typo[..20] + (typo[20] == 'a' ? 'b' : 'a') + typo[21..];
        var mistyped = await Assert.ThrowsAsync<ShareException>(() => vault.UnsealWithSharesAsync([init.Shares[0].Encode(), typo], "officers", default));
        Assert.Equal("share #2: share checksum does not match: a character was mistyped or left out", mistyped.Message);
        Assert.True(vault.IsSealed);

        var log = File.ReadAllText(vault.Audit.Path);
        Assert.Equal(2, CountOf(log, AuditActions.VaultUnsealRefused));
        Assert.Contains("\"actor\":\"mallory\"", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shares_forged_with_a_lower_threshold_do_not_open_the_vault()
    {
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(3, 3, "setup", default);
        await vault.SealAsync("setup", default);
        // Someone holding two shares rewrites their threshold to 2 (and fixes the checksum).
        var forged = init.Shares.Take(2).Select(s => new ShamirShare(s.SetId, 2, s.Index, s.Value.ToArray()).Encode()).ToArray();

        await Assert.ThrowsAsync<ShareException>(() => vault.UnsealWithSharesAsync(forged, "mallory", default));
        Assert.True(vault.IsSealed);
    }

    [Fact]
    public async Task Keys_are_usable_only_while_unsealed_and_certificates_always()
    {
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(3, 2, "setup", default);
        var info = await vault.GenerateAsync(Alice, VaultKeyAlgorithm.Rsa2048, "admin", default);
        Assert.Equal("CN=alice@example.org", info.Subject);
        Assert.Equal("RSA", info.KeyAlgorithm);

        await vault.SealAsync("admin", default);
        Assert.True(vault.IsSealed);
        var chain = await vault.FindCertificateChainAsync(Alice, default);
        Assert.NotNull(chain);
        Assert.Equal(info.Sha256Thumbprint, Convert.ToHexStringLower(chain[0].GetCertHash(HashAlgorithmName.SHA256)));
        Assert.Null(await vault.FindCertificateChainAsync(Bob, default));
        await Assert.ThrowsAsync<VaultSealedException>(() => vault.OpenPrivateKeyAsync(Alice, default));
        await Assert.ThrowsAsync<VaultSealedException>(() => vault.GenerateAsync(Bob, VaultKeyAlgorithm.EcP256, "admin", default));

        await vault.UnsealWithSharesAsync([init.Shares[2].Encode(), init.Shares[0].Encode()], "officers", default);
        using var lease = await vault.OpenPrivateKeyAsync(Alice, default);
        Assert.NotNull(lease);
        var data = Encoding.ASCII.GetBytes("a message digest stands here");
        var rsa = Assert.IsAssignableFrom<RSA>(lease.PrivateKey);
        var signature = rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(chain[0].GetRSAPublicKey()!.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.True(lease.Certificate.HasPrivateKey);
        Assert.True(lease.BouncyCastleKey.IsPrivate);
        Assert.Null(await vault.OpenPrivateKeyAsync(Bob, default));
    }

    [Fact]
    public async Task Generated_certificates_follow_the_smime_profile()
    {
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(2, 2, "setup", default);
        await vault.GenerateAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default);
        await vault.GenerateAsync(Domain, VaultKeyAlgorithm.EcP256, "admin", default);

        var chain = await vault.FindCertificateChainAsync(Alice, default);
        var leaf = chain![0];
        Assert.Equal("alice@example.org", leaf.GetNameInfo(X509NameType.EmailName, false));
        Assert.Contains(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.4");
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Equal(_time.GetUtcNow().AddDays(730).UtcDateTime, leaf.NotAfter.ToUniversalTime());

        var list = await vault.ListAsync(default);
        Assert.Equal(["alice@example.org", "example.org"], list.Select(e => e.Identity.Name));
        await Assert.ThrowsAsync<VaultException>(() => vault.GenerateAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default));
    }

    [Fact]
    public async Task No_private_key_appears_in_the_clear_on_disk()
    {
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(2, 2, "setup", default);
        await vault.GenerateAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default);
        using var lease = await vault.OpenPrivateKeyAsync(Alice, default);
        var ec = Assert.IsAssignableFrom<ECDsa>(lease!.PrivateKey);
        var scalar = ec.ExportParameters(true).D!;

        foreach (var file in Directory.GetFiles(_directory.Path, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.True(bytes.AsSpan().IndexOf(scalar) < 0, file);
            Assert.DoesNotContain(Convert.ToBase64String(scalar), Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file) & ~UnixFileMode.UserExecute);
            }
        }
    }

    [Fact]
    public async Task Import_escrows_a_users_pkcs12_and_checks_whose_it_is()
    {
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(2, 2, "setup", default);
        var p12 = TestPkcs12.Create("alice@example.org", "pw", out var certificate);

        var wrongPassword = await Assert.ThrowsAsync<VaultException>(() => vault.ImportAsync(Alice, p12, "nope", "admin", default));
        Assert.Equal("the PKCS#12 file cannot be read (wrong password or not PKCS#12)", wrongPassword.Message);
        var wrongUser = await Assert.ThrowsAsync<VaultException>(() => vault.ImportAsync(Bob, p12, "pw", "admin", default));
        Assert.Equal("the certificate is for alice@example.org, not bob@example.org", wrongUser.Message);

        var info = await vault.ImportAsync(Alice, p12, "pw", "admin", default);
        Assert.Equal(Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256)), info.Sha256Thumbprint);
        Assert.Equal("imported", info.Origin);
        await Assert.ThrowsAsync<VaultException>(() => vault.ImportAsync(Alice, p12, "pw", "admin", default));

        using var lease = await vault.OpenPrivateKeyAsync(Alice, default);
        var data = new byte[] { 1, 2, 3 };
        var signature = Assert.IsAssignableFrom<ECDsa>(lease!.PrivateKey).SignData(data, HashAlgorithmName.SHA256);
        Assert.True(certificate.GetECDsaPublicKey()!.VerifyData(data, signature, HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task An_entry_moved_to_another_identity_does_not_decrypt()
    {
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(2, 2, "setup", default);
        await vault.GenerateAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default);
        await vault.GenerateAsync(Bob, VaultKeyAlgorithm.EcP256, "admin", default);
        var entries = Path.Combine(_directory.Path, "vault", "entries");
        var aliceFile = EntryFileOf(entries, "alice@example.org");
        var bobFile = EntryFileOf(entries, "bob@example.org");

        // Alice's encrypted key relabelled as Bob's: the identity is associated data, so GCM refuses it.
        File.WriteAllText(bobFile, File.ReadAllText(aliceFile).Replace("alice@example.org", "bob@example.org", StringComparison.Ordinal));
        await Assert.ThrowsAsync<VaultIntegrityException>(() => vault.OpenPrivateKeyAsync(Bob, default));

        // Alice's file copied whole under Bob's name: the file names another identity.
        File.Copy(aliceFile, bobFile, overwrite: true);
        await Assert.ThrowsAsync<VaultIntegrityException>(() => vault.OpenPrivateKeyAsync(Bob, default));
    }

    [Fact]
    public async Task An_entry_given_another_certificate_does_not_decrypt()
    {
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(2, 2, "setup", default);
        await vault.GenerateAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default);
        var file = EntryFileOf(Path.Combine(_directory.Path, "vault", "entries"), "alice@example.org");
        TestPkcs12.Create("alice@example.org", "pw", out var other);
        var json = File.ReadAllText(file);
        var start = json.IndexOf("\"certificates\": [", StringComparison.Ordinal) + "\"certificates\": [".Length;
        var end = json.IndexOf(']', start);
        File.WriteAllText(file, json[..start] + "\"" + Convert.ToBase64String(other.RawData) + "\"" + json[end..]);

        await Assert.ThrowsAsync<VaultIntegrityException>(() => vault.OpenPrivateKeyAsync(Alice, default));
    }

    [Fact]
    public async Task Recovery_needs_the_shares_even_when_unsealed_and_is_audited()
    {
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(3, 2, "setup", default);
        await vault.GenerateAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default);
        Assert.False(vault.IsSealed);

        await Assert.ThrowsAsync<ShareException>(() => vault.RecoverAsync(Alice, [init.Shares[0].Encode()], "export-pw", "hr", default));
        await Assert.ThrowsAsync<VaultException>(() => vault.RecoverAsync(Bob, [init.Shares[0].Encode(), init.Shares[1].Encode()], "export-pw", "hr", default));

        var p12 = await vault.RecoverAsync(Alice, [init.Shares[1].Encode(), init.Shares[2].Encode()], "export-pw", "hr", default);
        var recovered = X509CertificateLoader.LoadPkcs12Collection(p12, "export-pw", X509KeyStorageFlags.EphemeralKeySet);
        var leaf = Assert.Single(recovered);
        Assert.True(leaf.HasPrivateKey);
        Assert.Equal("CN=alice@example.org", leaf.Subject);
        Assert.Throws<CryptographicException>(() => X509CertificateLoader.LoadPkcs12Collection(p12, "wrong", X509KeyStorageFlags.EphemeralKeySet));

        // Recovery works sealed too, with shares only, and does not unseal the vault.
        await vault.SealAsync("admin", default);
        await vault.RecoverAsync(Alice, [init.Shares[0].Encode(), init.Shares[2].Encode()], "export-pw", "hr", default);
        Assert.True(vault.IsSealed);

        var log = File.ReadAllText(vault.Audit.Path);
        Assert.Equal(2, CountOf(log, $"\"action\":\"{AuditActions.KeyRecover}\""));
        Assert.Equal(1, CountOf(log, $"\"action\":\"{AuditActions.KeyRecoverRefused}\""));
        Assert.Equal(1, CountOf(log, $"\"action\":\"{AuditActions.VaultUnsealRefused}\""));
    }

    [Fact]
    public async Task The_key_file_sealer_unseals_unattended_and_refuses_a_readable_file()
    {
        var keyFile = _directory.File("unseal.key");
        using (var vault = NewVault())
        using (var init = await vault.InitializeAsync(3, 2, "setup", default))
        {
            await vault.GenerateAsync(Domain, VaultKeyAlgorithm.EcP256, "admin", default);
            await vault.AddKeyFileSealerAsync(keyFile, "admin", default);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            await Assert.ThrowsAsync<IOException>(() => vault.AddKeyFileSealerAsync(keyFile, "admin", default));
            var status = await vault.GetStatusAsync(default);
            Assert.Equal(2, status.Sealers.Count);
            Assert.StartsWith("key-file:", status.Sealers[1], StringComparison.Ordinal);
        }

        using (var vault = NewVault())
        {
            await vault.UnsealWithKeyFileAsync(keyFile, "boot", default);
            using var lease = await vault.OpenPrivateKeyAsync(Domain, default);
            Assert.NotNull(lease);
        }

        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        using (var vault = NewVault())
        {
            var error = await Assert.ThrowsAsync<VaultException>(() => vault.UnsealWithKeyFileAsync(keyFile, "boot", default));
            Assert.Contains("accessible to group or others (mode 640)", error.Message, StringComparison.Ordinal);
            Assert.True(vault.IsSealed);
        }
    }

    [Fact]
    public async Task A_key_file_of_another_vault_is_refused()
    {
        using var other = new KeyVault(_directory.File("other"), _time);
        using var otherInit = await other.InitializeAsync(2, 2, "setup", default);
        await other.AddKeyFileSealerAsync(_directory.File("other.key"), "admin", default);
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(2, 2, "setup", default);
        await vault.AddKeyFileSealerAsync(_directory.File("mine.key"), "admin", default);
        await vault.SealAsync("admin", default);

        var error = await Assert.ThrowsAsync<VaultException>(() => vault.UnsealWithKeyFileAsync(_directory.File("other.key"), "boot", default));
        Assert.Contains("is not an unseal key of this vault", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_seal_record_changed_on_disk_is_detected_at_unseal()
    {
        var keyFile = _directory.File("unseal.key");
        string[] shares;
        using (var vault = NewVault())
        using (var init = await vault.InitializeAsync(2, 2, "setup", default))
        {
            shares = [.. init.Shares.Select(s => s.Encode())];
            await vault.AddKeyFileSealerAsync(keyFile, "admin", default);
        }

        // Drop the key-file sealer from the record (a downgrade an attacker could want): the MAC breaks.
        var sealPath = Path.Combine(_directory.Path, "vault", "seal.json");
        var original = File.ReadAllText(sealPath);
        var keyFileEntry = original.IndexOf(",{\"kind\":\"key-file\"", StringComparison.Ordinal);
        File.WriteAllText(sealPath, original[..keyFileEntry] + original[original.IndexOf(']', keyFileEntry)..]);
        using (var vault = NewVault())
        {
            var error = await Assert.ThrowsAsync<VaultIntegrityException>(() => vault.UnsealWithSharesAsync(shares, "officers", default));
            Assert.Equal("seal record was changed on disk (its MAC does not verify)", error.Message);
            Assert.True(vault.IsSealed);
        }

        File.WriteAllText(sealPath, original);
        using (var vault = NewVault())
        {
            await vault.UnsealWithSharesAsync(shares, "officers", default);
            Assert.False(vault.IsSealed);
        }
    }

    [Fact]
    public async Task Every_vault_operation_lands_in_a_verifiable_audit_log()
    {
        var keyFile = _directory.File("unseal.key");
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(3, 2, "setup", default);
        await vault.AddKeyFileSealerAsync(keyFile, "admin", default);
        await vault.GenerateAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default);
        await vault.ImportAsync(Bob, TestPkcs12.Create("bob@example.org", "pw", out _), "pw", "admin", default);
        await vault.SealAsync("admin", default);
        await vault.UnsealWithKeyFileAsync(keyFile, "boot", default);
        await vault.RecoverAsync(Bob, [init.Shares[0].Encode(), init.Shares[1].Encode()], "x", "hr", default);

        var verification = await vault.Audit.VerifyAsync(default);
        Assert.True(verification.IsIntact, verification.Problem);
        var actions = File.ReadAllLines(vault.Audit.Path).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("action").GetString());
        Assert.Equal(
            [AuditActions.VaultInitialize, AuditActions.SealerAdd, AuditActions.KeyGenerate, AuditActions.KeyImport, AuditActions.VaultSeal, AuditActions.VaultUnseal, AuditActions.KeyRecover],
            actions);
    }

    [Fact]
    public async Task Identities_are_canonical_and_validated()
    {
        Assert.Equal("alice@example.org", Alice.Name);
        Assert.Equal(VaultIdentityKind.User, Alice.Kind);
        Assert.Equal(VaultIdentityKind.Domain, Domain.Kind);
        Assert.Equal(Alice, VaultIdentity.Parse(" ALICE@example.ORG "));
        foreach (var bad in new[] { "", "alice@", "@example.org", "alice@exa mple.org", "localhost", "a b@example.org", "../../etc@example.org/x" })
        {
            Assert.False(VaultIdentity.TryParse(bad, out _, out _), bad);
        }

        await Task.CompletedTask;
    }

    private KeyVault NewVault() => new(Path.Combine(_directory.Path, "vault"), _time);

    private static string EntryFileOf(string entries, string identity) =>
        Directory.GetFiles(entries).Single(f => File.ReadAllText(f).Contains($"\"identity\": \"{identity}\"", StringComparison.Ordinal));

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
