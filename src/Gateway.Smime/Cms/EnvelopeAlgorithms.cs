using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X9;

namespace Gateway.Smime.Cms;

/// <summary>
/// The algorithms we decrypt. Anything else is answered as unsupported before any key is asked for, so an
/// unknown OID never reaches BouncyCastle's generic lookup (which would throw).
/// </summary>
internal static class EnvelopeAlgorithms
{
    /// <summary>RFC 3565 AES-CBC; 3DES only to read old mail (RFC 8551 2.7: MAY decrypt).</summary>
    public static readonly IReadOnlySet<string> CbcContent = new HashSet<string>
    {
        NistObjectIdentifiers.IdAes128Cbc.Id,
        NistObjectIdentifiers.IdAes192Cbc.Id,
        NistObjectIdentifiers.IdAes256Cbc.Id,
        PkcsObjectIdentifiers.DesEde3Cbc.Id,
    };

    /// <summary>RFC 5084 AES-GCM for AuthEnvelopedData.</summary>
    public static readonly IReadOnlySet<string> GcmContent = new HashSet<string>
    {
        NistObjectIdentifiers.IdAes128Gcm.Id,
        NistObjectIdentifiers.IdAes192Gcm.Id,
        NistObjectIdentifiers.IdAes256Gcm.Id,
    };

    /// <summary>RSA key transport (RFC 3370 4.2.1, RFC 3560) and ECDH (RFC 5753 7.1.4) schemes.</summary>
    public static readonly IReadOnlySet<string> KeyEncryption = new HashSet<string>
    {
        PkcsObjectIdentifiers.RsaEncryption.Id,
        PkcsObjectIdentifiers.IdRsaesOaep.Id,
        X9ObjectIdentifiers.DHSinglePassStdDHSha1KdfScheme.Id,
        "1.3.132.1.11.0",
        "1.3.132.1.11.1",
        "1.3.132.1.11.2",
        "1.3.132.1.11.3",
    };

    public static bool IsSupportedKeyEncryption(DerObjectIdentifier oid) => KeyEncryption.Contains(oid.Id);
}
