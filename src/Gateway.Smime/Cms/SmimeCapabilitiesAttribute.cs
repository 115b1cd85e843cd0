using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Smime;
using Org.BouncyCastle.Cms;

namespace Gateway.Smime.Cms;

/// <summary>
/// The smimeCapabilities signed attribute (RFC 8551 2.5.2): what we write into our signatures, and what we
/// read from a correspondent's signature to choose how to encrypt for them.
/// </summary>
public static class SmimeCapabilitiesAttribute
{
    /// <summary>Ours, strongest first: AES-256-GCM, AES-256-CBC, RSA-OAEP.</summary>
    internal static Org.BouncyCastle.Asn1.Cms.Attribute Create() =>
        new(PkcsObjectIdentifiers.Pkcs9AtSmimeCapabilities, new DerSet(Capabilities(includeOaep: true)));

    /// <summary>
    /// SMIMECapabilities (RFC 8551 2.5.2), strongest first; RSA-OAEP only where the key is RSA. The same value
    /// serves as the signed attribute and as the certificate extension of RFC 4262.
    /// </summary>
    internal static DerSequence Capabilities(bool includeOaep)
    {
        var vector = new SmimeCapabilityVector();
        vector.AddCapability(SmimeOids.Aes256Gcm);
        vector.AddCapability(SmimeOids.Aes256Cbc);
        if (includeOaep)
        {
            vector.AddCapability(SmimeOids.RsaesOaep);
        }

        return new DerSequence(vector.ToAsn1EncodableVector());
    }

    /// <summary>Reads what a signer advertises; a signature without the attribute advertises nothing.</summary>
    public static RecipientCapabilities Read(SignerInformation signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var attribute = signer.SignedAttributes?[PkcsObjectIdentifiers.Pkcs9AtSmimeCapabilities];
        if (attribute is null || attribute.AttrValues.Count == 0)
        {
            return RecipientCapabilities.None;
        }
        return RecipientCapabilities.FromCapabilityList(attribute.AttrValues[0]);
    }
}
