using System.Security.Cryptography;
using System.Text;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Gateway.Smime.Vault.Sealers;

/// <summary>
/// Seals the master key with an AES-256 key that lives on a PKCS#11 token and cannot leave it
/// (CKA_SENSITIVE, not CKA_EXTRACTABLE): the token encrypts the master key with CKM_AES_GCM (its own
/// tag, our associated data), and unsealing asks the token to decrypt it. Without the token and its PIN
/// the seal entry is useless.
/// </summary>
internal static class Pkcs11Sealer
{
    private const int IvSize = 12;
    private const ulong TagBits = 128;

    public static SealerEntry Seal(Pkcs11TokenOptions token, string vaultId, ReadOnlySpan<byte> masterKey)
    {
        var iv = RandomNumberGenerator.GetBytes(IvSize);
        var plain = masterKey.ToArray();
        try
        {
            var wrapped = WithKey(token, token.CreateKeyIfMissing, (factories, session, key) =>
            {
                using var parameters = factories.MechanismParamsFactory.CreateCkGcmParams(iv, IvSize * 8, SealerEntry.AssociatedData(SealerEntry.Pkcs11, vaultId, token.SealLabel), TagBits);
                using var mechanism = factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
                return session.Encrypt(mechanism, key, plain);
            });
            return new SealerEntry(SealerEntry.Pkcs11, token.SealLabel, iv, wrapped);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    public static MasterKey Unseal(Pkcs11TokenOptions token, string vaultId, SealerEntry entry)
    {
        byte[]? plain = null;
        try
        {
            plain = WithKey(token, createIfMissing: false, (factories, session, key) =>
            {
                using var parameters = factories.MechanismParamsFactory.CreateCkGcmParams(entry.Nonce, IvSize * 8, SealerEntry.AssociatedData(SealerEntry.Pkcs11, vaultId, entry.Label), TagBits);
                using var mechanism = factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
                try
                {
                    return session.Decrypt(mechanism, key, entry.Wrapped);
                }
                catch (Pkcs11Exception e) when (e.RV is CKR.CKR_ENCRYPTED_DATA_INVALID or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE or CKR.CKR_GENERAL_ERROR)
                {
                    // PKCS#11 3.0 names a GCM tag mismatch CKR_ENCRYPTED_DATA_INVALID; SoftHSM 2.6
                    // reports it as CKR_GENERAL_ERROR. Either way the token's key did not seal this vault.
                    throw new VaultIntegrityException($"the key on token '{token.TokenLabel}' does not open this vault ({e.RV})", e);
                }
            });
            return MasterKey.From(plain);
        }
        finally
        {
            if (plain is not null)
            {
                CryptographicOperations.ZeroMemory(plain);
            }
        }
    }

    private static byte[] WithKey(Pkcs11TokenOptions token, bool createIfMissing, Func<Pkcs11InteropFactories, ISession, IObjectHandle, byte[]> operation)
    {
        var factories = Pkcs11Runtime.Factories();
        try
        {
            using var library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, token.ModulePath, AppType.MultiThreaded);
            var slot = library.GetSlotList(SlotsType.WithTokenPresent)
                .FirstOrDefault(s => string.Equals(s.GetTokenInfo().Label.Trim(), token.TokenLabel, StringComparison.Ordinal))
                ?? throw new VaultException($"no PKCS#11 token labelled '{token.TokenLabel}' in {token.ModulePath}");
            using var session = slot.OpenSession(SessionType.ReadWrite);
            var pin = Encoding.UTF8.GetBytes(token.Pin);
            try
            {
                session.Login(CKU.CKU_USER, pin);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pin);
            }

            try
            {
                var key = FindKey(factories, session, token.KeyLabel)
                    ?? (createIfMissing
                        ? GenerateKey(factories, session, token.KeyLabel)
                        : throw new VaultException($"token '{token.TokenLabel}' has no AES key labelled '{token.KeyLabel}'"));
                return operation(factories, session, key);
            }
            finally
            {
                session.Logout();
            }
        }
        catch (Pkcs11Exception e)
        {
            // The return value names the cause (CKR_PIN_INCORRECT, CKR_TOKEN_NOT_PRESENT) without the PIN.
            throw new VaultException($"PKCS#11 token '{token.TokenLabel}': {e.Method} returned {e.RV}", e);
        }
    }

    private static IObjectHandle? FindKey(Pkcs11InteropFactories factories, ISession session, string label)
    {
        var found = session.FindAllObjects(
        [
            factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            factories.ObjectAttributeFactory.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
            factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, label),
        ]);
        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new VaultException($"the token holds {found.Count} AES keys labelled '{label}'; the sealing key must be unique"),
        };
    }

    private static IObjectHandle GenerateKey(Pkcs11InteropFactories factories, ISession session, string label)
    {
        using var mechanism = factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
        return session.GenerateKey(mechanism,
        [
            factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            factories.ObjectAttributeFactory.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
            factories.ObjectAttributeFactory.Create(CKA.CKA_VALUE_LEN, 32UL),
            factories.ObjectAttributeFactory.Create(CKA.CKA_TOKEN, true),
            factories.ObjectAttributeFactory.Create(CKA.CKA_PRIVATE, true),
            // The key must never leave the token in any form: that is the point of this sealer.
            factories.ObjectAttributeFactory.Create(CKA.CKA_SENSITIVE, true),
            factories.ObjectAttributeFactory.Create(CKA.CKA_EXTRACTABLE, false),
            factories.ObjectAttributeFactory.Create(CKA.CKA_ENCRYPT, true),
            factories.ObjectAttributeFactory.Create(CKA.CKA_DECRYPT, true),
            factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, label),
        ]);
    }
}
