using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;

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

    /// <summary>RSA key transport (RFC 3370 4.2.1, RFC 3560); ECDH schemes are <see cref="EcdhKeyAgreement"/>'s.</summary>
    public static readonly IReadOnlySet<string> KeyEncryption = new HashSet<string>
    {
        PkcsObjectIdentifiers.RsaEncryption.Id,
        PkcsObjectIdentifiers.IdRsaesOaep.Id,
    };

    public static bool IsSupportedKeyEncryption(DerObjectIdentifier oid) => KeyEncryption.Contains(oid.Id);
}
