using System.Security.Cryptography;
using System.Text;

namespace Gateway.Smime.Vault;

/// <summary>
/// The 256-bit vault master key in a pinned buffer (the GC never copies it elsewhere), zeroed on dispose.
/// It is never used directly: HKDF derives one subkey per purpose, so the entry key and the seal-record
/// MAC key are independent even though both come from it.
/// </summary>
internal sealed class MasterKey : IDisposable
{
    public const int Length = 32;
    private readonly byte[] _key = GC.AllocateArray<byte>(Length, pinned: true);

    private MasterKey()
    {
    }

    public static MasterKey Generate()
    {
        var key = new MasterKey();
        RandomNumberGenerator.Fill(key._key);
        return key;
    }

    public static MasterKey From(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new VaultIntegrityException("the unsealed master key has the wrong length");
        }

        var key = new MasterKey();
        bytes.CopyTo(key._key);
        return key;
    }

    public ReadOnlySpan<byte> Bytes => _key;

    /// <summary>A 32-byte subkey for one purpose; the caller zeroes it.</summary>
    public byte[] Derive(string purpose, string vaultId) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, Encoding.UTF8.GetBytes(vaultId), Encoding.UTF8.GetBytes($"gateway-vault/v1 {purpose}"));

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);

    public override string ToString() => "MasterKey";
}
