using System.Security.Cryptography;
using System.Text;
using Gateway.Smime.Vault.Sealers.Pkcs11;

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
    private const int TagBits = 128;

    public static SealerEntry Seal(Pkcs11TokenOptions token, string vaultId, ReadOnlySpan<byte> masterKey)
    {
        var iv = RandomNumberGenerator.GetBytes(IvSize);
        var plain = masterKey.ToArray();
        try
        {
            var wrapped = WithKey(token, token.CreateKeyIfMissing, (session, key) =>
                session.EncryptGcm(key, iv, SealerEntry.AssociatedData(SealerEntry.Pkcs11, vaultId, token.SealLabel), TagBits, plain));
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
            plain = WithKey(token, createIfMissing: false, (session, key) =>
            {
                try
                {
                    return session.DecryptGcm(key, entry.Nonce, SealerEntry.AssociatedData(SealerEntry.Pkcs11, vaultId, entry.Label), TagBits, entry.Wrapped);
                }
                catch (Pkcs11Exception e) when (e.Result is CkResult.CKR_ENCRYPTED_DATA_INVALID or CkResult.CKR_ENCRYPTED_DATA_LEN_RANGE or CkResult.CKR_AEAD_DECRYPT_FAILED or CkResult.CKR_GENERAL_ERROR)
                {
                    // PKCS#11 2.40 names a GCM tag mismatch CKR_ENCRYPTED_DATA_INVALID, 3.0 CKR_AEAD_DECRYPT_FAILED;
                    // SoftHSM 2.6 reports it as CKR_GENERAL_ERROR. Either way the token's key did not seal this vault.
                    throw new VaultIntegrityException($"the key on token '{token.TokenLabel}' does not open this vault ({Pkcs11Exception.Name(e.Result)})", e);
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

    private static byte[] WithKey(Pkcs11TokenOptions token, bool createIfMissing, Func<Pkcs11Session, nuint, byte[]> operation)
    {
        try
        {
            using var module = Pkcs11Module.Load(token.ModulePath);
            var slot = module.SlotsWithToken()
                .Select(s => (Slot: s, Label: module.TokenLabel(s)))
                .FirstOrDefault(s => string.Equals(s.Label.Trim(), token.TokenLabel, StringComparison.Ordinal));
            if (slot.Label is null)
            {
                throw new VaultException($"no PKCS#11 token labelled '{token.TokenLabel}' in {token.ModulePath}");
            }

            using var session = module.OpenSession(slot.Slot);
            var pin = Encoding.UTF8.GetBytes(token.Pin);
            try
            {
                session.Login(pin);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pin);
            }

            try
            {
                var key = FindKey(session, token.KeyLabel)
                    ?? (createIfMissing
                        ? GenerateKey(session, token.KeyLabel)
                        : throw new VaultException($"token '{token.TokenLabel}' has no AES key labelled '{token.KeyLabel}'"));
                return operation(session, key);
            }
            finally
            {
                session.Logout();
            }
        }
        catch (Pkcs11Exception e)
        {
            // The return value names the cause (CKR_PIN_INCORRECT, CKR_TOKEN_NOT_PRESENT) without the PIN.
            throw new VaultException($"PKCS#11 token '{token.TokenLabel}': {e.Message}", e);
        }
    }

    private static nuint? FindKey(Pkcs11Session session, string label)
    {
        using var template = new AttributeTemplate()
            .Add(Ck.CKA_CLASS, Ck.CKO_SECRET_KEY)
            .Add(Ck.CKA_KEY_TYPE, Ck.CKK_AES)
            .Add(Ck.CKA_LABEL, label);
        var found = session.FindObjects(template);
        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new VaultException($"the token holds {found.Count} AES keys labelled '{label}'; the sealing key must be unique"),
        };
    }

    private static nuint GenerateKey(Pkcs11Session session, string label)
    {
        using var template = new AttributeTemplate()
            .Add(Ck.CKA_CLASS, Ck.CKO_SECRET_KEY)
            .Add(Ck.CKA_KEY_TYPE, Ck.CKK_AES)
            .Add(Ck.CKA_VALUE_LEN, (nuint)32)
            .Add(Ck.CKA_TOKEN, true)
            .Add(Ck.CKA_PRIVATE, true)
            // The key must never leave the token in any form: that is the point of this sealer.
            .Add(Ck.CKA_SENSITIVE, true)
            .Add(Ck.CKA_EXTRACTABLE, false)
            .Add(Ck.CKA_ENCRYPT, true)
            .Add(Ck.CKA_DECRYPT, true)
            .Add(Ck.CKA_LABEL, label);
        return session.GenerateKey(Ck.CKM_AES_KEY_GEN, template);
    }
}
