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

    private List<string> _shares = [];

    private async Task<KeyVault> VaultWithKeysAsync()
    {
        var vault = new KeyVault(_directory.File("vault"), _time);
        using (var init = await vault.InitializeAsync(3, 2, "setup", default))
        {
            _shares = [.. init.Shares.Select(s => s.Encode())];
            await vault.GenerateAsync(VaultIdentity.Parse("alice@example.org"), VaultKeyAlgorithm.Rsa2048, "setup", default);
            await vault.GenerateAsync(VaultIdentity.Parse("example.org"), VaultKeyAlgorithm.EcP256, "setup", default);
        }

        return vault;
    }

    [Fact]
    public async Task An_opened_key_is_kept_until_the_vault_is_sealed_and_opened_afresh_after_the_next_unseal()
    {
        using var vault = await VaultWithKeysAsync();
        using var source = new VaultSmimeKeySource(vault);

        NativeKeyPool first;
        using (var lease = await source.FindSigningKeyAsync("alice@example.org", default))
        {
            first = lease!.NativeKeys!;
        }
        using (var again = await source.FindSigningKeyAsync("alice@example.org", default))
        {
            Assert.Same(first, again!.NativeKeys);
        }

        await vault.SealAsync("test", default);
        // The platform copies were freed at the seal, not left for the collector.
        Assert.Throws<ObjectDisposedException>(() => first.Rent());
        Assert.Null(await source.FindSigningKeyAsync("alice@example.org", default));

        await vault.UnsealWithSharesAsync(_shares.Take(2).ToList(), "test", default);
        using var reopened = await source.FindSigningKeyAsync("alice@example.org", default);
        Assert.NotNull(reopened);
        Assert.NotSame(first, reopened.NativeKeys);
    }

    [Fact]
    public async Task A_key_escrowed_by_another_process_after_the_first_lookup_is_found()
    {
        using var vault = await VaultWithKeysAsync();
        using var source = new VaultSmimeKeySource(vault);
        var decryptor = new SmimeDecryptor(source, SmimeLimits.Default);
        var carolIdentity = VaultIdentity.Parse("carol@example.org");

        // The first lookup builds the certificate index without Carol's entry.
        Assert.Null(await source.FindSigningKeyAsync("carol@other.test", default));
        var before = await EncryptForAsync(vault, VaultIdentity.Parse("alice@example.org"), "alice@example.org");
        Assert.Equal(SmimeDecryptStatus.Decrypted, (await decryptor.DecryptAsync(before.Body!, default)).Status);

        // The command line opens the same vault directory in its own process.
        using (var cli = new KeyVault(_directory.File("vault"), _time))
        {
            await cli.UnsealWithSharesAsync(_shares.Skip(1).ToList(), "cli", default);
            await cli.GenerateAsync(carolIdentity, VaultKeyAlgorithm.Rsa2048, "cli", default);
        }

        var forCarol = await EncryptForAsync(vault, carolIdentity, "carol@example.org");
        var result = await decryptor.DecryptAsync(forCarol.Body!, default);
        Assert.Equal((SmimeDecryptStatus.Decrypted, "carol@example.org"), (result.Status, result.KeyName));
        using var signing = await source.FindSigningKeyAsync("carol@example.org", default);
        Assert.Equal("carol@example.org", signing?.KeyName);
    }

    private static async Task<MimeMessage> EncryptForAsync(KeyVault vault, VaultIdentity identity, string address)
    {
        var chain = await vault.FindCertificateChainAsync(identity, default);
        var certificate = new X509CertificateParser().ReadCertificate(chain![0].RawData);
        var message = TestMessages.Plain("bob@other.test", address, "Hello.\n");
        await new SmimeEncryptor().EncryptAsync(message, [new SmimeRecipient(certificate, new RecipientCapabilities(false, false))], SmimeEncryptOptions.Default, default);
        return MimeMessage.Load(new MemoryStream(TestMessages.ToWireBytes(message)));
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
