using Gateway.Smime.Cms;
using Gateway.Smime.Tests.Cms;
using Gateway.Smime.Vault;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Tests.Vault;

/// <summary>The two halves together: keys held in the vault sign and decrypt through the CMS code, and only while it is unsealed.</summary>
public sealed class VaultSmimeKeySourceTests : IDisposable
{
    private readonly TempDirectory _directory = new("gw-vault-source");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 3, 0, 0, TimeSpan.Zero));

    public void Dispose() => _directory.Dispose();

    private async Task<KeyVault> VaultWithKeysAsync()
    {
        var vault = new KeyVault(_directory.File("vault"), _time);
        using (await vault.InitializeAsync(3, 2, "setup", default))
        {
            await vault.GenerateAsync(VaultIdentity.Parse("alice@example.org"), VaultKeyAlgorithm.Rsa2048, "setup", default);
            await vault.GenerateAsync(VaultIdentity.Parse("example.org"), VaultKeyAlgorithm.EcP256, "setup", default);
        }

        return vault;
    }

    [Fact]
    public async Task A_sender_signs_with_its_own_key_else_the_domain_key_and_nothing_while_sealed()
    {
        using var vault = await VaultWithKeysAsync();
        var signer = new SmimeSigner(new VaultSmimeKeySource(vault), _time);

        var own = await signer.SignAsync(TestMessages.Plain("alice@example.org"), "alice@example.org", SmimeSignOptions.Default, default);
        var domain = await signer.SignAsync(TestMessages.Plain("bob@example.org"), "bob@example.org", SmimeSignOptions.Default, default);
        var stranger = await signer.SignAsync(TestMessages.Plain("carol@other.test"), "carol@other.test", SmimeSignOptions.Default, default);

        Assert.Equal((SmimeSignStatus.Success, "alice@example.org"), (own.Status, own.KeyName));
        Assert.Equal((SmimeSignStatus.Success, "example.org"), (domain.Status, domain.KeyName));
        Assert.Equal(SmimeSignStatus.NoKey, stranger.Status);

        await vault.SealAsync("test", default);
        var sealedResult = await signer.SignAsync(TestMessages.Plain("alice@example.org"), "alice@example.org", SmimeSignOptions.Default, default);
        Assert.Equal(SmimeSignStatus.NoKey, sealedResult.Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Mail_encrypted_for_a_vault_certificate_is_decrypted_with_the_vault_key(bool gcm)
    {
        using var vault = await VaultWithKeysAsync();
        var chain = await vault.FindCertificateChainAsync(VaultIdentity.Parse("alice@example.org"), default);
        var certificate = new X509CertificateParser().ReadCertificate(chain![0].RawData);
        var message = TestMessages.Plain("bob@other.test", "alice@example.org", "For Alice only.\n");
        await new SmimeEncryptor().EncryptAsync(message, [new SmimeRecipient(certificate, new RecipientCapabilities(gcm, false))], SmimeEncryptOptions.Default, default);
        var received = MimeMessage.Load(new MemoryStream(TestMessages.ToWireBytes(message)));
        var decryptor = new SmimeDecryptor(new VaultSmimeKeySource(vault), SmimeLimits.Default);

        var result = await decryptor.DecryptAsync(received.Body!, default);

        Assert.Equal(SmimeDecryptStatus.Decrypted, result.Status);
        Assert.Equal("alice@example.org", result.KeyName);
        Assert.Contains("For Alice only.", Assert.IsType<TextPart>(result.Content).Text, StringComparison.Ordinal);

        await vault.SealAsync("test", default);
        Assert.Equal(SmimeDecryptStatus.NoKey, (await decryptor.DecryptAsync(received.Body!, default)).Status);
    }
}
