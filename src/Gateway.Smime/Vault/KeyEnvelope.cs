using System.Security.Cryptography;

namespace Gateway.Smime.Vault;

/// <summary>
/// A private key at rest: PKCS#8 under AES-256-GCM with a fresh 96-bit nonce per write and caller-chosen
/// associated data that binds the ciphertext to where it belongs (vault, identity, certificate). Shared by
/// the vault's entries and the internal CA's key, so both are protected alike.
/// </summary>
internal static class KeyEnvelope
{
    public const int NonceSize = 12;
    private const int TagSize = 16;

    public static (byte[] Nonce, byte[] Ciphertext) Seal(ReadOnlySpan<byte> pkcs8, ReadOnlySpan<byte> key, ReadOnlySpan<byte> associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var encrypted = new byte[pkcs8.Length + TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, pkcs8, encrypted.AsSpan(0, pkcs8.Length), encrypted.AsSpan(pkcs8.Length), associatedData);
        return (nonce, encrypted);
    }

    /// <summary>The PKCS#8 key in a pinned buffer the caller zeroes, or null when the envelope is malformed or does not authenticate.</summary>
    public static byte[]? TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> key, ReadOnlySpan<byte> associatedData)
    {
        if (ciphertext.Length < TagSize || nonce.Length != NonceSize)
        {
            return null;
        }

        var plain = GC.AllocateArray<byte>(ciphertext.Length - TagSize, pinned: true);
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(nonce, ciphertext[..plain.Length], ciphertext[plain.Length..], plain, associatedData);
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(plain);
            return null;
        }
    }
}
