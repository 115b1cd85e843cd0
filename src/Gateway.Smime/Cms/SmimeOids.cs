using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;

namespace Gateway.Smime.Cms;

/// <summary>The object identifiers the S/MIME code names, in one place with their RFCs.</summary>
internal static class SmimeOids
{
    /// <summary>RFC 5083: id-ct-authEnvelopedData.</summary>
    public static readonly DerObjectIdentifier AuthEnvelopedData = PkcsObjectIdentifiers.IdCTAuthEnvelopedData;

    /// <summary>RFC 8551 2.7: the content-encryption algorithms we write and advertise.</summary>
    public static readonly DerObjectIdentifier Aes256Gcm = NistObjectIdentifiers.IdAes256Gcm;
    public static readonly DerObjectIdentifier Aes256Cbc = NistObjectIdentifiers.IdAes256Cbc;

    /// <summary>RFC 8017 / RFC 4055: RSAES-OAEP key transport, and the RSASSA-PSS key marking.</summary>
    public static readonly DerObjectIdentifier RsaesOaep = PkcsObjectIdentifiers.IdRsaesOaep;
    public static readonly DerObjectIdentifier RsassaPss = PkcsObjectIdentifiers.IdRsassaPss;

    /// <summary>RFC 5280 4.2.1.12 / RFC 8550 4.4.4: id-kp-emailProtection.</summary>
    public const string EmailProtection = "1.3.6.1.5.5.7.3.4";

    /// <summary>anyExtendedKeyUsage, which RFC 8550 4.4.4 lets stand in for emailProtection.</summary>
    public const string AnyExtendedKeyUsage = "2.5.29.37.0";
}
