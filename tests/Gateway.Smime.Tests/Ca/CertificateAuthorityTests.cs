using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gateway.Smime.Audit;
using Gateway.Smime.Ca;
using Gateway.Smime.Tests.Cms;
using Gateway.Smime.Vault;
using Microsoft.Extensions.Time.Testing;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Smime;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Tests.Ca;

public sealed class CertificateAuthorityTests : IDisposable
{
    private static readonly VaultIdentity Alice = VaultIdentity.Parse("alice@example.org");
    private static readonly VaultIdentity Bob = VaultIdentity.Parse("bob@example.org");
    private static readonly Uri CrlBase = new("http://127.0.0.1:8025/smime/crl/");

    private readonly TempDirectory _directory = new("gw-ca");

    // openssl checks validity and CRL times against the real clock, so the fake clock starts at the real now.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(CaKeyAlgorithm.EcP256, VaultKeyAlgorithm.Rsa2048)]
    [InlineData(CaKeyAlgorithm.Rsa3072, VaultKeyAlgorithm.EcP256)]
    [InlineData(CaKeyAlgorithm.EcP256, VaultKeyAlgorithm.EcP256)]
    public async Task Issued_certificate_has_the_smime_profile_and_openssl_accepts_it(CaKeyAlgorithm caAlgorithm, VaultKeyAlgorithm algorithm)
    {
        using var vault = await NewVaultAsync();
        using var ca = NewCa(vault);
        var info = await ca.InitAsync("CN=Example Mail CA, O=Example", caAlgorithm, TimeSpan.FromDays(3650), CrlBase, "admin", default);

        var issued = await ca.IssueAsync(Alice, algorithm, "admin", default);

        var chain = (await vault.FindCertificateChainAsync(Alice, default))!;
        Assert.Equal(2, chain.Count);
        using var leaf = chain[0];
        using var root = chain[1];
        Assert.Equal(info.Certificate, root.RawData);
        Assert.Equal(new Uri($"http://127.0.0.1:8025/smime/crl/{info.CaId}.crl"), issued.CrlUrl);
        var rsa = algorithm != VaultKeyAlgorithm.EcP256;

        var keyUsage = leaf.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(keyUsage.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | (rsa ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.KeyAgreement), keyUsage.KeyUsages);
        Assert.Equal(["1.3.6.1.5.5.7.3.4"], leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        var rootKeyId = root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();
        Assert.Equal(rootKeyId, leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.ToArray());
        Assert.NotNull(leaf.Extensions.OfType<X509SubjectKeyIdentifierExtension>().SingleOrDefault());

        // At least 64 random bits (S/MIME BR 7.1), positive.
        var serial = leaf.SerialNumberBytes.ToArray();
        Assert.True(serial.Length >= 9 || (serial.Length == 8 && serial[0] >= 0x40));
        Assert.Equal(issued.SerialNumber, Convert.ToHexStringLower(serial).TrimStart('0'));

        var bouncy = new X509CertificateParser().ReadCertificate(leaf.RawData);
        var names = bouncy.GetSubjectAlternativeNames().Select(n => ((int)n[0], n[1].ToString())).ToList();
        Assert.Equal([(1, "alice@example.org")], names);
        var capabilities = Asn1Sequence.GetInstance(leaf.Extensions[SmimeProfile.SmimeCapabilitiesOid]!.RawData)
            .Cast<Asn1Encodable>().Select(c => SmimeCapability.GetInstance(c).CapabilityID.Id).ToList();
        Assert.Equal(rsa ? ["2.16.840.1.101.3.4.1.46", "2.16.840.1.101.3.4.1.42", "1.2.840.113549.1.1.7"] : ["2.16.840.1.101.3.4.1.46", "2.16.840.1.101.3.4.1.42"], capabilities);

        File.WriteAllText(_directory.File("ca.pem"), root.ExportCertificatePem());
        File.WriteAllText(_directory.File("leaf.pem"), leaf.ExportCertificatePem());
        var text = await ExternalTool.RunAsync("openssl", ["x509", "-noout", "-text", "-in", _directory.File("leaf.pem")]);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("email:alice@example.org", text.StdoutText, StringComparison.Ordinal);
        Assert.Contains($"URI:{issued.CrlUrl}", text.StdoutText, StringComparison.Ordinal);
        Assert.Contains("E-mail Protection", text.StdoutText, StringComparison.Ordinal);
        foreach (var purpose in rsa ? new[] { "smimesign", "smimeencrypt" } : ["smimesign"])
        {
            var verify = await Verify("leaf.pem", "-purpose", purpose);
            Assert.True(verify.ExitCode == 0, verify.StdoutText + verify.Stderr);
        }
    }

    [Fact]
    public async Task A_revoked_certificate_is_on_the_crl_and_a_good_one_still_verifies()
    {
        using var vault = await NewVaultAsync();
        using var ca = NewCa(vault);
        var info = await ca.InitAsync("CN=Example Mail CA", CaKeyAlgorithm.EcP256, TimeSpan.FromDays(3650), CrlBase, "admin", default);
        await ca.IssueAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default);
        await ca.IssueAsync(Bob, VaultKeyAlgorithm.Rsa2048, "admin", default);
        var first = await CrlNumberAsync(ca.CrlPath(info.CaId));

        var revocation = await ca.RevokeAsync(Alice, X509RevocationReason.KeyCompromise, "admin", default);

        Assert.Equal("alice@example.org", revocation.Identity);
        var crlPath = ca.CrlPath(info.CaId);
        Assert.True(await CrlNumberAsync(crlPath) > first);
        await ExportPemAsync(vault, Alice, "alice.pem");
        await ExportPemAsync(vault, Bob, "bob.pem");
        var convert = await ExternalTool.RunAsync("openssl", ["crl", "-inform", "DER", "-in", crlPath, "-out", _directory.File("crl.pem")]);
        Assert.Equal(0, convert.ExitCode);

        var revoked = await Verify("alice.pem", "-crl_check", "-CRLfile", _directory.File("crl.pem"), "-purpose", "smimesign");
        Assert.NotEqual(0, revoked.ExitCode);
        Assert.Contains("certificate revoked", revoked.StdoutText + revoked.Stderr, StringComparison.Ordinal);
        var good = await Verify("bob.pem", "-crl_check", "-CRLfile", _directory.File("crl.pem"), "-purpose", "smimesign");
        Assert.True(good.ExitCode == 0, good.StdoutText + good.Stderr);

        var crlText = await ExternalTool.RunAsync("openssl", ["crl", "-noout", "-text", "-in", _directory.File("crl.pem")]);
        Assert.Contains("Key Compromise", crlText.StdoutText, StringComparison.Ordinal);
        Assert.Contains("Authority Key Identifier", crlText.StdoutText, StringComparison.Ordinal);

        // The key stays in escrow for the mail already encrypted to it.
        using var lease = await vault.OpenPrivateKeyAsync(Alice, default);
        Assert.NotNull(lease);
        await Assert.ThrowsAsync<VaultException>(() => ca.RevokeAsync(Alice, X509RevocationReason.Superseded, "admin", default));
        await Assert.ThrowsAsync<VaultException>(() => ca.RevokeSerialAsync("01:23:45", X509RevocationReason.Superseded, "admin", default));
    }

    [Fact]
    public async Task Crl_numbers_increase_and_the_crl_is_valid_for_the_configured_time()
    {
        using var vault = await NewVaultAsync();
        using var ca = NewCa(vault, new CertificateAuthorityOptions { CrlValidity = TimeSpan.FromDays(3) });
        var info = await ca.InitAsync("CN=Example Mail CA", CaKeyAlgorithm.EcP256, TimeSpan.FromDays(3650), CrlBase, "admin", default);

        var first = await ca.GenerateCrlAsync("cron", default);
        _time.Advance(TimeSpan.FromDays(1));
        var second = await ca.GenerateCrlAsync("cron", default);

        Assert.Equal(ca.CrlPath(info.CaId), second.Path);
        Assert.True(second.Number > first.Number);
        Assert.Equal(second.Number, await CrlNumberAsync(second.Path));
        var crl = new X509CrlParser().ReadCrl(await File.ReadAllBytesAsync(second.Path));
        Assert.Equal(2, crl.Version);
        Assert.Equal(TimeSpan.FromDays(3), crl.NextUpdate!.Value - crl.ThisUpdate);
        using var root = X509CertificateLoader.LoadCertificate(info.Certificate);
        crl.Verify(new X509CertificateParser().ReadCertificate(root.RawData).GetPublicKey());
    }

    [Fact]
    public async Task Every_ca_action_is_audited_and_the_chain_verifies()
    {
        using var vault = await NewVaultAsync();
        using var ca = NewCa(vault);
        await ca.InitAsync("CN=Example Mail CA", CaKeyAlgorithm.EcP256, TimeSpan.FromDays(3650), CrlBase, "admin", default);
        await ca.IssueAsync(Alice, VaultKeyAlgorithm.EcP256, "officer", default);
        await ca.RevokeAsync(Alice, X509RevocationReason.AffiliationChanged, "officer", default);

        var verification = await vault.Audit.VerifyAsync(default);
        Assert.True(verification.IsIntact, verification.Problem);
        var lines = File.ReadAllLines(vault.Audit.Path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(
            [AuditActions.VaultInitialize, AuditActions.CaInitialize, AuditActions.CaCrl, AuditActions.CaIssue, AuditActions.CaRevoke, AuditActions.CaCrl],
            lines.Select(l => l.GetProperty("action").GetString()));
        var revoke = lines[4];
        Assert.Equal("officer", revoke.GetProperty("actor").GetString());
        Assert.Equal("alice@example.org", revoke.GetProperty("subject").GetString());
        Assert.Equal("AffiliationChanged", revoke.GetProperty("details").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Issuing_or_revoking_while_sealed_fails_and_records_nothing()
    {
        using var vault = await NewVaultAsync();
        using var ca = NewCa(vault);
        await ca.InitAsync("CN=Example Mail CA", CaKeyAlgorithm.EcP256, TimeSpan.FromDays(3650), CrlBase, "admin", default);
        await ca.IssueAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default);
        var index = await File.ReadAllTextAsync(Path.Combine(_directory.Path, "vault", "ca", "index.json"));
        await vault.SealAsync("admin", default);

        var issue = await Assert.ThrowsAsync<VaultSealedException>(() => ca.IssueAsync(Bob, VaultKeyAlgorithm.EcP256, "admin", default));
        Assert.Equal("the key vault is sealed", issue.Message);
        await Assert.ThrowsAsync<VaultSealedException>(() => ca.RevokeAsync(Alice, X509RevocationReason.KeyCompromise, "admin", default));
        await Assert.ThrowsAsync<VaultSealedException>(() => ca.GenerateCrlAsync("admin", default));

        Assert.Null(await vault.FindCertificateChainAsync(Bob, default));
        Assert.Equal(index, await File.ReadAllTextAsync(Path.Combine(_directory.Path, "vault", "ca", "index.json")));
        Assert.NotNull(await ca.GetInfoAsync(default));
    }

    [Fact]
    public async Task The_ca_refuses_a_second_root_an_existing_key_a_domain_and_a_missing_root()
    {
        using var vault = await NewVaultAsync();
        using var ca = NewCa(vault);
        await Assert.ThrowsAsync<VaultException>(() => ca.IssueAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default));
        await ca.InitAsync("CN=Example Mail CA", CaKeyAlgorithm.EcP256, TimeSpan.FromDays(3650), CrlBase, "admin", default);
        await Assert.ThrowsAsync<VaultException>(() => ca.InitAsync("CN=Other CA", CaKeyAlgorithm.EcP256, TimeSpan.FromDays(3650), CrlBase, "admin", default));

        var generated = await vault.GenerateAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default);
        var error = await Assert.ThrowsAsync<VaultException>(() => ca.IssueAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default));
        Assert.Contains("never replaced", error.Message, StringComparison.Ordinal);
        Assert.Equal(generated.Sha256Thumbprint, (await vault.ListAsync(default)).Single().Sha256Thumbprint);
        await Assert.ThrowsAsync<VaultException>(() => ca.IssueAsync(VaultIdentity.Parse("example.org"), VaultKeyAlgorithm.EcP256, "admin", default));

        // A self-signed key was not issued by this CA, so there is nothing to revoke.
        await Assert.ThrowsAsync<VaultException>(() => ca.RevokeAsync(Alice, X509RevocationReason.KeyCompromise, "admin", default));
    }

    [Fact]
    public async Task The_ca_key_is_sealed_at_rest_and_bound_to_its_certificate()
    {
        using var vault = await NewVaultAsync();
        using var ca = NewCa(vault);
        await ca.InitAsync("CN=Example Mail CA", CaKeyAlgorithm.EcP256, TimeSpan.FromDays(3650), CrlBase, "admin", default);
        var recordPath = Path.Combine(_directory.Path, "vault", "ca", "ca.json");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(recordPath));
        }

        // Another certificate in the record: the key no longer decrypts.
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherCertificate = new CertificateRequest("CN=Example Mail CA", other, HashAlgorithmName.SHA256)
            .CreateSelfSigned(_time.GetUtcNow(), _time.GetUtcNow().AddDays(1));
        var json = await File.ReadAllTextAsync(recordPath);
        var original = JsonDocument.Parse(json).RootElement.GetProperty("certificate").GetString()!;
        await File.WriteAllTextAsync(recordPath, json.Replace(original, Convert.ToBase64String(otherCertificate.RawData), StringComparison.Ordinal));

        await Assert.ThrowsAsync<VaultIntegrityException>(() => ca.IssueAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default));
    }

    private async Task<KeyVault> NewVaultAsync()
    {
        var vault = new KeyVault(Path.Combine(_directory.Path, "vault"), _time);
        using var init = await vault.InitializeAsync(3, 2, "setup", default);
        return vault;
    }

    private CertificateAuthority NewCa(KeyVault vault, CertificateAuthorityOptions? options = null) => new(vault, _time, options);

    private async Task ExportPemAsync(KeyVault vault, VaultIdentity identity, string name)
    {
        var chain = (await vault.FindCertificateChainAsync(identity, default))!;
        await File.WriteAllTextAsync(_directory.File(name), chain[0].ExportCertificatePem());
        await File.WriteAllTextAsync(_directory.File("ca.pem"), chain[1].ExportCertificatePem());
        foreach (var certificate in chain)
        {
            certificate.Dispose();
        }
    }

    private Task<ToolResult> Verify(string leaf, params string[] options) =>
        ExternalTool.RunAsync("openssl", ["verify", .. options, "-CAfile", _directory.File("ca.pem"), _directory.File(leaf)]);

    private static async Task<long> CrlNumberAsync(string path)
    {
        var crl = new X509CrlParser().ReadCrl(await File.ReadAllBytesAsync(path));
        var number = DerInteger.GetInstance(Org.BouncyCastle.X509.Extension.X509ExtensionUtilities.FromExtensionValue(crl.GetExtensionValue(Org.BouncyCastle.Asn1.X509.X509Extensions.CrlNumber)));
        return number.LongValueExact;
    }
}
