using System.Security.Cryptography;

namespace Gateway.Smime.Vault.Sealers;

/// <summary>AES-256-GCM wrapping of the master key under a key-encryption key held in memory (shares, key file).</summary>
internal static class SoftwareWrap
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static SealerEntry Wrap(string kind, string label, string vaultId, ReadOnlySpan<byte> kek, ReadOnlySpan<byte> masterKey)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var wrapped = new byte[masterKey.Length + TagSize];
        using var aes = new AesGcm(kek, TagSize);
        aes.Encrypt(nonce, masterKey, wrapped.AsSpan(0, masterKey.Length), wrapped.AsSpan(masterKey.Length), SealerEntry.AssociatedData(kind, vaultId, label));
        return new SealerEntry(kind, label, nonce, wrapped);
    }

    public static MasterKey Unwrap(SealerEntry entry, string vaultId, ReadOnlySpan<byte> kek)
    {
        if (entry.Nonce.Length != NonceSize || entry.Wrapped.Length != MasterKey.Length + TagSize)
        {
            throw new VaultIntegrityException($"the {entry.Kind} seal entry is malformed");
        }

        var plain = GC.AllocateArray<byte>(MasterKey.Length, pinned: true);
        try
        {
            using var aes = new AesGcm(kek, TagSize);
            aes.Decrypt(entry.Nonce, entry.Wrapped.AsSpan(0, MasterKey.Length), entry.Wrapped.AsSpan(MasterKey.Length), plain, SealerEntry.AssociatedData(entry.Kind, vaultId, entry.Label));
            return MasterKey.From(plain);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new VaultIntegrityException($"the {entry.Kind} key does not open this vault", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
