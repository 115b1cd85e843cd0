using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto;

namespace Gateway.Smime.Vault;

/// <summary>
/// A private key on loan while the vault is unsealed: the certificate bound to its key (for .NET's
/// SignedCms/EnvelopedCms), the key itself, and the BouncyCastle form MimeKit's
/// BouncyCastleSecureMimeContext asks for in GetPrivateKey. Dispose as soon as the message is signed or
/// decrypted. Sealing the vault does not revoke a lease already handed out; it stops new ones.
/// </summary>
/// <remarks>
/// Security: the .NET key objects free their native key memory on dispose; BouncyCastle keys are
/// BigIntegers that cannot be wiped and live until collected, which is why a lease should be short.
/// </remarks>
public sealed class VaultKeyLease : IDisposable
{
    internal VaultKeyLease(VaultIdentity identity, X509Certificate2 certificate, X509Certificate2Collection chain, AsymmetricAlgorithm privateKey, AsymmetricKeyParameter bouncyCastleKey)
    {
        Identity = identity;
        Certificate = certificate;
        Chain = chain;
        PrivateKey = privateKey;
        BouncyCastleKey = bouncyCastleKey;
    }

    public VaultIdentity Identity { get; }

    /// <summary>The entry's certificate with <see cref="PrivateKey"/> attached.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The stored chain, leaf first.</summary>
    public X509Certificate2Collection Chain { get; }

    public AsymmetricAlgorithm PrivateKey { get; }

    public AsymmetricKeyParameter BouncyCastleKey { get; }

    public void Dispose()
    {
        Certificate.Dispose();
        PrivateKey.Dispose();
        foreach (var certificate in Chain)
        {
            certificate.Dispose();
        }
    }

    public override string ToString() => $"key lease for {Identity}";

    internal static VaultKeyLease Open(VaultEntry entry, byte[] pkcs8)
    {
        using var leaf = entry.LoadLeaf();
        var key = PrivateKeyCodec.Import(leaf, pkcs8);
        try
        {
            var bound = PrivateKeyCodec.Attach(leaf, key);
            var bouncyCastleKey = Org.BouncyCastle.Security.PrivateKeyFactory.CreateKey(pkcs8);
            return new VaultKeyLease(entry.Identity, bound, entry.LoadChain(), key, bouncyCastleKey);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new VaultIntegrityException($"the key of {entry.Identity} does not match its certificate", e);
        }
    }
}
