using System.Collections.Frozen;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Kisa;
using Org.BouncyCastle.Asn1.Misc;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Ntt;
using Org.BouncyCastle.Asn1.Oiw;
using Org.BouncyCastle.Asn1.Pkcs;

namespace Gateway.Smime.Cms;

/// <summary>
/// Readable names of CMS content-encryption algorithms, for what an admin or a reader sees (the X-Gateway-SMIME
/// marker): the RFCs' ASN.1 names without "id-" (RFC 3565 id-aes128-CBC, RFC 5084 id-aes256-GCM, RFC 3370
/// des-ede3-cbc and rc2-cbc), lower case. Neither library offers this: BouncyCastle's CipherUtilities.GetAlgorithmName
/// gives "AES/CBC/PKCS7PADDING" for all three AES key sizes, and MimeKit's OID mapping is internal and knows no GCM.
/// Also names algorithms the gateway does not decrypt, so that a message refused for one says which.
/// </summary>
public static class ContentAlgorithmNames
{
    private static readonly FrozenDictionary<string, string> Names = new Dictionary<DerObjectIdentifier, string>
    {
        [NistObjectIdentifiers.IdAes128Cbc] = "aes128-cbc",
        [NistObjectIdentifiers.IdAes192Cbc] = "aes192-cbc",
        [NistObjectIdentifiers.IdAes256Cbc] = "aes256-cbc",
        [NistObjectIdentifiers.IdAes128Gcm] = "aes128-gcm",
        [NistObjectIdentifiers.IdAes192Gcm] = "aes192-gcm",
        [NistObjectIdentifiers.IdAes256Gcm] = "aes256-gcm",
        [NistObjectIdentifiers.IdAes128Ccm] = "aes128-ccm",
        [NistObjectIdentifiers.IdAes192Ccm] = "aes192-ccm",
        [NistObjectIdentifiers.IdAes256Ccm] = "aes256-ccm",
        [PkcsObjectIdentifiers.IdAlgAeadChaCha20Poly1305] = "chacha20-poly1305",
        [PkcsObjectIdentifiers.DesEde3Cbc] = "des-ede3-cbc",
        [PkcsObjectIdentifiers.RC2Cbc] = "rc2-cbc",
        [OiwObjectIdentifiers.DesCbc] = "des-cbc",
        [NttObjectIdentifiers.IdCamellia128Cbc] = "camellia128-cbc",
        [NttObjectIdentifiers.IdCamellia192Cbc] = "camellia192-cbc",
        [NttObjectIdentifiers.IdCamellia256Cbc] = "camellia256-cbc",
        [KisaObjectIdentifiers.IdSeedCbc] = "seed-cbc",
        [MiscObjectIdentifiers.cast5CBC] = "cast5-cbc",
        [MiscObjectIdentifiers.as_sys_sec_alg_ideaCBC] = "idea-cbc",
    }.ToFrozenDictionary(pair => pair.Key.Id, pair => pair.Value, StringComparer.Ordinal);

    /// <summary>The name of the algorithm with this dotted OID, or the OID itself when it has none here.</summary>
    public static string NameOf(string oid)
    {
        ArgumentNullException.ThrowIfNull(oid);
        return Names.GetValueOrDefault(oid, oid);
    }
}
