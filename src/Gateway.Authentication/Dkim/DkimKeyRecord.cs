using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Gateway.Authentication.Dkim;

/// <summary>
/// A DKIM public key record published at <c>selector._domainkey.domain</c> (RFC 6376 3.6.1), parsed once.
/// A revoked key (empty p=) parses successfully with <see cref="IsRevoked"/> set and no <see cref="PublicKey"/>.
/// </summary>
public sealed class DkimKeyRecord
{
    // The Ed25519 public key is the raw 32-byte point (RFC 8463 4.2), never a SubjectPublicKeyInfo.
    private const int Ed25519KeyLength = 32;

    private DkimKeyRecord(DkimKeyType keyType, AsymmetricKeyParameter? publicKey, int keyBits,
        IReadOnlyList<string>? hashAlgorithms, IReadOnlyList<string> serviceTypes, bool testing, bool strict)
    {
        KeyType = keyType;
        PublicKey = publicKey;
        KeyBits = keyBits;
        HashAlgorithms = hashAlgorithms;
        ServiceTypes = serviceTypes;
        IsTesting = testing;
        IsStrict = strict;
    }

    public DkimKeyType KeyType { get; }

    /// <summary>The key, null when revoked.</summary>
    public AsymmetricKeyParameter? PublicKey { get; }

    private const int MaxPooledRsa = 16;

    // Platform RSA objects for this key, each used by one thread at a time (the platform does not promise that one
    // instance may be used from several threads at once); kept instead of made per message, as making one costs
    // several times the verification. Sessions verifying at the same time each take one instead of queueing on a lock.
    private readonly System.Collections.Concurrent.ConcurrentQueue<System.Security.Cryptography.RSA> _rsaPool = new();
    private int _pooledRsa;

    /// <summary>RSASSA-PKCS1-v1_5 / SHA-256 over a precomputed hash with the platform's RSA.</summary>
    internal bool VerifyRsaSha256(byte[] hash, byte[] signature)
    {
        if (PublicKey is not RsaKeyParameters rsaKey)
        {
            return false;
        }

        if (_rsaPool.TryDequeue(out var rsa))
        {
            Interlocked.Decrement(ref _pooledRsa);
        }
        else
        {
            rsa = System.Security.Cryptography.RSA.Create(new System.Security.Cryptography.RSAParameters
            {
                Modulus = rsaKey.Modulus.ToByteArrayUnsigned(),
                Exponent = rsaKey.Exponent.ToByteArrayUnsigned(),
            });
        }

        var verified = rsa.VerifyHash(hash, signature, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        if (Interlocked.Increment(ref _pooledRsa) <= MaxPooledRsa)
        {
            _rsaPool.Enqueue(rsa);
        }
        else
        {
            Interlocked.Decrement(ref _pooledRsa);
            rsa.Dispose();
        }

        return verified;
    }

    public bool IsRevoked => PublicKey is null;

    /// <summary>RSA modulus size in bits; 256 for Ed25519; 0 when revoked.</summary>
    public int KeyBits { get; }

    /// <summary>h= (acceptable hash algorithms, lower-case); null when absent, meaning all.</summary>
    public IReadOnlyList<string>? HashAlgorithms { get; }

    /// <summary>s= service types, lower-case (default "*").</summary>
    public IReadOnlyList<string> ServiceTypes { get; }

    /// <summary>t=y: the domain is testing DKIM (RFC 6376 3.6.1).</summary>
    public bool IsTesting { get; }

    /// <summary>t=s: the i= domain must equal d=, no subdomains (RFC 6376 3.6.1).</summary>
    public bool IsStrict { get; }

    /// <summary>Whether h= allows the hash ("sha256"): an absent h= allows every hash.</summary>
    public bool AllowsHash(string hash)
    {
        if (HashAlgorithms is null)
        {
            return true;
        }

        foreach (var allowed in HashAlgorithms)
        {
            if (string.Equals(allowed, hash, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether s= allows e-mail ("*" or "email").</summary>
    public bool AllowsEmail()
    {
        foreach (var service in ServiceTypes)
        {
            if (service is "*" or "email")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Parses one TXT record (already joined from its character-strings). Returns false with a reason for
    /// anything that is not a usable DKIM1 key record: RFC 6376 3.6.1 / 6.1.2 make all of these PERMFAIL.
    /// </summary>
    public static bool TryParse(string text, out DkimKeyRecord? record, out string? error) =>
        TryParse(text, DkimVerifyOptions.Default.MaxTags, out record, out error);

    internal static bool TryParse(string text, int maxTags, out DkimKeyRecord? record, out string? error) =>
        TryParse(text, maxTags, DkimVerifyOptions.Default.MaximumRsaKeyBits, out record, out error);

    // Larger RSA keys than maxRsaKeyBits are refused before the key is built: building one runs a primality test
    // on the modulus whose cost grows steeply with its size, and the key record is chosen by whoever signs.
    internal static bool TryParse(string text, int maxTags, int maxRsaKeyBits, out DkimKeyRecord? record, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        record = null;
        if (!DkimTagList.TryParse(text, maxTags, out var tags, out error))
        {
            error = "key syntax error: " + error;
            return false;
        }

        // RFC 6376 3.6.1: v= is optional, but when present it MUST be the first tag and MUST be "DKIM1".
        if (tags!.TryGet("v", out var version) && (version != "DKIM1" || tags.FirstTag != "v"))
        {
            error = "key syntax error: v= must come first and be DKIM1";
            return false;
        }

        var keyType = DkimKeyType.Rsa;
        if (tags.TryGet("k", out var k))
        {
            switch (k)
            {
                case "rsa":
                    break;
                case "ed25519":
                    keyType = DkimKeyType.Ed25519;
                    break;
                default:
                    error = "unsupported key type k=" + Truncate(k);
                    return false;
            }
        }

        if (!tags.TryGet("p", out var p))
        {
            error = "key syntax error: no p= tag";
            return false;
        }

        var hashes = tags.TryGet("h", out var h) ? SplitColonList(h) : null;
        var services = tags.TryGet("s", out var s) ? SplitColonList(s) : ["*"];
        var flags = tags.TryGet("t", out var t) ? SplitColonList(t) : [];
        var testing = flags.Contains("y");
        var strict = flags.Contains("s");

        var data = DkimTagList.StripWhitespace(p);
        if (data.Length == 0)
        {
            // RFC 6376 3.6.1: an empty p= means the key has been revoked.
            record = new DkimKeyRecord(keyType, null, 0, hashes, services, testing, strict);
            return true;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(data);
        }
        catch (FormatException)
        {
            error = "key syntax error: p= is not base64";
            return false;
        }

        AsymmetricKeyParameter key;
        int bits;
        if (keyType == DkimKeyType.Ed25519)
        {
            if (bytes.Length != Ed25519KeyLength)
            {
                error = "key syntax error: an ed25519 p= must be 32 bytes";
                return false;
            }

            key = new Ed25519PublicKeyParameters(bytes);
            bits = 256;
        }
        else
        {
            // A SubjectPublicKeyInfo adds a few dozen octets to the modulus and exponent.
            if (bytes.Length > (maxRsaKeyBits / 8) + 64)
            {
                error = $"key too large (more than {maxRsaKeyBits} bits)";
                return false;
            }

            if (!TryReadRsaKey(bytes, out var rsa))
            {
                error = "key syntax error: p= is not an RSA public key";
                return false;
            }

            key = rsa!;
            bits = rsa!.Modulus.BitLength;
        }

        record = new DkimKeyRecord(keyType, key, bits, hashes, services, testing, strict);
        error = null;
        return true;
    }

    private static bool TryReadRsaKey(byte[] bytes, out RsaKeyParameters? key)
    {
        key = null;
        try
        {
            // RFC 6376 3.6.1: p= is a DER SubjectPublicKeyInfo. Some publishers put the bare PKCS#1
            // RSAPublicKey there; python-dkim and OpenDKIM accept it, so we do too.
            if (PublicKeyFactory.CreateKey(bytes) is RsaKeyParameters spki)
            {
                key = spki;
                return true;
            }

            return false;
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or IOException or InvalidOperationException or SecurityUtilityException)
        {
            try
            {
                var pkcs1 = RsaPublicKeyStructure.GetInstance(bytes);
                key = new RsaKeyParameters(false, pkcs1.Modulus, pkcs1.PublicExponent);
                return true;
            }
            catch (Exception inner) when (inner is ArgumentException or InvalidCastException or IOException or InvalidOperationException)
            {
                return false;
            }
        }
    }

    private static string[] SplitColonList(string value)
    {
        var parts = value.Split(':', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = DkimTagList.StripWhitespace(parts[i]).ToLowerInvariant();
        }

        return parts;
    }

    private static string Truncate(string value) => value.Length <= 32 ? value : value[..32];
}
