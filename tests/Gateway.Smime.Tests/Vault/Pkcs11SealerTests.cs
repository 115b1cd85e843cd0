using Gateway.Smime.Audit;
using Gateway.Smime.Vault;
using Gateway.Smime.Vault.Sealers;
using Microsoft.Extensions.Time.Testing;
using Net.Pkcs11Interop.Common;

namespace Gateway.Smime.Tests.Vault;

/// <summary>The PKCS#11 sealer against a real SoftHSM2 token (Debian package softhsm2).</summary>
public sealed class Pkcs11SealerTests : IClassFixture<SoftHsmToken>, IDisposable
{
    private static readonly VaultIdentity Alice = VaultIdentity.Parse("alice@example.org");
    private readonly SoftHsmToken _hsm;
    private readonly TempDirectory _directory = new("gw-vault-p11");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 3, 0, 0, TimeSpan.Zero));

    public Pkcs11SealerTests(SoftHsmToken hsm) => _hsm = hsm;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_vault_sealed_to_a_token_unseals_with_the_token()
    {
        var token = _hsm.CreateToken("gw-unseal");
        using (var vault = NewVault())
        using (var init = await vault.InitializeAsync(3, 2, "setup", default))
        {
            await vault.GenerateAsync(Alice, VaultKeyAlgorithm.EcP256, "admin", default);
            await vault.AddTokenSealerAsync(token, "admin", default);
            Assert.Contains("pkcs11:gw-unseal/gateway-vault", (await vault.GetStatusAsync(default)).Sealers);
        }

        using (var vault = NewVault())
        {
            Assert.True(vault.IsSealed);
            await vault.UnsealWithTokenAsync(token, "boot", default);
            Assert.False(vault.IsSealed);
            using var lease = await vault.OpenPrivateKeyAsync(Alice, default);
            Assert.NotNull(lease);
            Assert.Contains($"\"action\":\"{AuditActions.VaultUnseal}\"", File.ReadAllText(vault.Audit.Path), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_sealing_key_on_the_token_is_sensitive_and_cannot_be_extracted()
    {
        var token = _hsm.CreateToken("gw-attrs");
        Pkcs11Sealer.Seal(token, "0011223344556677", new byte[32]);

        var factories = Pkcs11InteropLoader.Factories();
        using var library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, SoftHsmToken.Module, AppType.MultiThreaded);
        var slot = library.GetSlotList(SlotsType.WithTokenPresent).Single(s => s.GetTokenInfo().Label.Trim() == "gw-attrs");
        using var session = slot.OpenSession(SessionType.ReadOnly);
        session.Login(CKU.CKU_USER, SoftHsmToken.UserPin);
        var key = Assert.Single(session.FindAllObjects([factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, "gateway-vault")]));
        var attributes = session.GetAttributeValue(key, [CKA.CKA_SENSITIVE, CKA.CKA_EXTRACTABLE, CKA.CKA_TOKEN]);
        Assert.True(attributes[0].GetValueAsBool());
        Assert.False(attributes[1].GetValueAsBool());
        Assert.True(attributes[2].GetValueAsBool());
        session.Logout();
    }

    [Fact]
    public async Task A_wrong_pin_is_refused_by_the_token_without_the_pin_in_the_message()
    {
        var token = _hsm.CreateToken("gw-pin");
        using (var vault = NewVault())
        using (var init = await vault.InitializeAsync(2, 2, "setup", default))
        {
            await vault.AddTokenSealerAsync(token, "admin", default);
        }

        using var sealedVault = NewVault();
        var wrong = new Pkcs11TokenOptions { ModulePath = token.ModulePath, TokenLabel = token.TokenLabel, KeyLabel = token.KeyLabel, Pin = "9999-wrong" };
        var error = await Assert.ThrowsAsync<VaultException>(() => sealedVault.UnsealWithTokenAsync(wrong, "boot", default));
        Assert.Contains("CKR_PIN_INCORRECT", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("9999", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("9999", File.ReadAllText(sealedVault.Audit.Path), StringComparison.Ordinal);
        Assert.DoesNotContain(SoftHsmToken.UserPin, wrong.ToString() + token, StringComparison.Ordinal);
        Assert.True(sealedVault.IsSealed);
    }

    [Fact]
    public async Task A_token_key_that_did_not_seal_the_vault_does_not_open_it()
    {
        // Same token and key labels on a fresh token: another AES key, so the GCM tag fails on the token.
        var first = _hsm.CreateToken("gw-twin");
        using (var vault = NewVault())
        using (var init = await vault.InitializeAsync(2, 2, "setup", default))
        {
            await vault.AddTokenSealerAsync(first, "admin", default);
        }

        var other = _hsm.CreateToken("gw-other");
        using (var otherVault = new KeyVault(_directory.File("other"), _time))
        using (var otherInit = await otherVault.InitializeAsync(2, 2, "setup", default))
        {
            await otherVault.AddTokenSealerAsync(other, "admin", default);
        }

        // Point our vault's record at the other token by relabelling: the MAC would catch that too, but
        // the token refuses first because its key did not encrypt this master key.
        var sealPath = Path.Combine(_directory.Path, "vault", "seal.json");
        File.WriteAllText(sealPath, File.ReadAllText(sealPath).Replace("gw-twin/", "gw-other/", StringComparison.Ordinal));
        using var vaultAgain = NewVault();
        await Assert.ThrowsAsync<VaultIntegrityException>(() => vaultAgain.UnsealWithTokenAsync(other, "boot", default));
        Assert.True(vaultAgain.IsSealed);
    }

    [Fact]
    public async Task A_missing_token_is_named()
    {
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(2, 2, "setup", default);
        var absent = new Pkcs11TokenOptions { ModulePath = SoftHsmToken.Module, TokenLabel = "no-such-token", KeyLabel = "k", Pin = "1" };
        var error = await Assert.ThrowsAsync<VaultException>(() => vault.AddTokenSealerAsync(absent, "admin", default));
        Assert.Equal($"no PKCS#11 token labelled 'no-such-token' in {SoftHsmToken.Module}", error.Message);
    }

    [Theory]
    [InlineData("/nonexistent/libpkcs11.so", "cannot load the PKCS#11 module /nonexistent/libpkcs11.so")]
    [InlineData("libc.so.6", "libc.so.6 is not a PKCS#11 module (no C_GetFunctionList)")]
    public async Task A_file_that_is_not_a_pkcs11_module_is_named(string module, string expected)
    {
        using var vault = NewVault();
        using var init = await vault.InitializeAsync(2, 2, "setup", default);
        var token = new Pkcs11TokenOptions { ModulePath = module, TokenLabel = "t", KeyLabel = "k", Pin = "1" };
        var error = await Assert.ThrowsAsync<VaultException>(() => vault.AddTokenSealerAsync(token, "admin", default));
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void The_module_stays_usable_for_another_user_in_the_process()
    {
        // Another PKCS#11 user in this process initialised the module first: our binding must neither fail on
        // CKR_CRYPTOKI_ALREADY_INITIALIZED nor finalise the module under that user.
        var token = _hsm.CreateToken("gw-shared");
        var factories = Pkcs11InteropLoader.Factories();
        using var library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, SoftHsmToken.Module, AppType.MultiThreaded);

        var entry = Pkcs11Sealer.Seal(token, "8899aabbccddeeff", Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        using var key = Pkcs11Sealer.Unseal(token, "8899aabbccddeeff", entry);

        var slot = library.GetSlotList(SlotsType.WithTokenPresent).Single(s => s.GetTokenInfo().Label.Trim() == "gw-shared");
        using var session = slot.OpenSession(SessionType.ReadOnly);
        // A finalised module answers CKR_CRYPTOKI_NOT_INITIALIZED here; ours left it to its first user.
        Assert.Equal(slot.SlotId, session.GetSessionInfo().SlotId);
    }

    private KeyVault NewVault() => new(Path.Combine(_directory.Path, "vault"), _time);
}
