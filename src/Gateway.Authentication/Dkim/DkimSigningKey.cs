using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Gateway.Authentication.Dkim;

/// <summary>
/// A private key to sign for one domain and selector: RSA (rsa-sha256, at least 1024 bits, RFC 8301 3.2) or
/// Ed25519 (ed25519-sha256, RFC 8463). Loaded from PEM: "RSA PRIVATE KEY" (PKCS#1) or "PRIVATE KEY" (PKCS#8, RSA or
/// Ed25519). Encrypted PEM is not accepted: key files are protected by file permissions and the key vault.
/// </summary>
/// <remarks>
/// <note type="security">The key material stays inside this object; it is never logged or written back out.
/// Dispose it when the policy that named it is replaced.</note>
/// </remarks>
public sealed class DkimSigningKey : IDisposable
{
    private const int MinimumRsaBits = 1024;

    private readonly RSA? _rsa;
    private readonly Ed25519PrivateKeyParameters? _ed25519;

    private DkimSigningKey(string domain, string selector, RSA? rsa, Ed25519PrivateKeyParameters? ed25519)
    {
        Domain = domain;
        Selector = selector;
        _rsa = rsa;
        _ed25519 = ed25519;
        Algorithm = rsa is null ? DkimSigningAlgorithm.Ed25519Sha256 : DkimSigningAlgorithm.RsaSha256;
        KeyBits = rsa?.KeySize ?? 256;
    }

    /// <summary>The signing domain (d=), lower-case.</summary>
    public string Domain { get; }

    /// <summary>The selector (s=).</summary>
    public string Selector { get; }

    /// <summary>Follows from the key type.</summary>
    public DkimSigningAlgorithm Algorithm { get; }

    public int KeyBits { get; }

    /// <summary>The a= value.</summary>
    public string AlgorithmName => Algorithm == DkimSigningAlgorithm.RsaSha256 ? "rsa-sha256" : "ed25519-sha256";

    /// <summary>Loads the key from a PEM file.</summary>
    public static DkimSigningKey Load(string domain, string selector, string pemPath)
    {
        ArgumentNullException.ThrowIfNull(pemPath);
        return FromPem(domain, selector, File.ReadAllText(pemPath));
    }

    /// <summary>Reads the key from PEM text. Throws <see cref="FormatException"/> for anything else.</summary>
    public static DkimSigningKey FromPem(string domain, string selector, string pem)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(pem);
        domain = domain.ToLowerInvariant();
        if (!DkimNames.AreValid(domain, selector))
        {
            throw new ArgumentException("The DKIM domain or selector is not a valid DNS name.");
        }

        if (!PemEncoding.TryFind(pem, out var fields))
        {
            throw new FormatException("No PEM block found in the DKIM key.");
        }

        var label = pem[fields.Label];
        var der = Convert.FromBase64String(pem[fields.Base64Data]);
        try
        {
            switch (label)
            {
                case "RSA PRIVATE KEY":
                    return FromRsa(domain, selector, rsa => rsa.ImportRSAPrivateKey(der, out _));
                case "PRIVATE KEY":
                    var info = PrivateKeyInfo.GetInstance(der);
                    var oid = info.PrivateKeyAlgorithm.Algorithm;
                    if (oid.Equals(PkcsObjectIdentifiers.RsaEncryption))
                    {
                        return FromRsa(domain, selector, rsa => rsa.ImportPkcs8PrivateKey(der, out _));
                    }

                    if (oid.Equals(EdECObjectIdentifiers.id_Ed25519))
                    {
                        var key = (Ed25519PrivateKeyParameters)PrivateKeyFactory.CreateKey(info);
                        return new DkimSigningKey(domain, selector, null, key);
                    }

                    throw new FormatException("The DKIM key is neither RSA nor Ed25519.");
                default:
                    throw new FormatException($"Unsupported PEM label '{label}' for a DKIM key.");
            }
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or InvalidCastException or IOException)
        {
            throw new FormatException("The DKIM key could not be read.", e);
        }
    }

    /// <summary>Signs a SHA-256 digest: PKCS#1 v1.5 for RSA (RFC 6376 3.3.1), PureEdDSA over the digest for
    /// Ed25519 (RFC 8463 3).</summary>
    internal byte[] SignDigest(byte[] sha256)
    {
        if (_rsa is not null)
        {
            return _rsa.SignHash(sha256, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        var signer = new Ed25519Signer();
        signer.Init(true, _ed25519);
        signer.BlockUpdate(sha256, 0, sha256.Length);
        return signer.GenerateSignature();
    }

    public void Dispose() => _rsa?.Dispose();

    private static DkimSigningKey FromRsa(string domain, string selector, Action<RSA> import)
    {
        var rsa = RSA.Create();
        try
        {
            import(rsa);
            if (rsa.KeySize < MinimumRsaBits)
            {
                throw new FormatException($"RSA DKIM keys must have at least {MinimumRsaBits} bits (RFC 8301 3.2).");
            }

            return new DkimSigningKey(domain, selector, rsa, null);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }
}
