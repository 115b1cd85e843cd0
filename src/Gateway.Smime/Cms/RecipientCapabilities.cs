using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Smime;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Cms;

/// <summary>
/// What a recipient can decrypt, as advertised in their signature's smimeCapabilities (harvested with the
/// certificate), in their certificate's smimeCapabilities extension, or asserted by policy.
/// </summary>
public sealed record RecipientCapabilities(bool Aes256Gcm, bool RsaOaep)
{
    public static RecipientCapabilities None { get; } = new(false, false);

    /// <summary>
    /// The smimeCapabilities extension of a certificate (RFC 4262, same OID and syntax as the signed
    /// attribute); a certificate without it, or with an unreadable one, advertises nothing.
    /// </summary>
    public static RecipientCapabilities FromCertificate(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var value = certificate.GetExtensionValue(PkcsObjectIdentifiers.Pkcs9AtSmimeCapabilities);
        if (value is null)
        {
            return None;
        }

        try
        {
            return FromCapabilityList(Asn1Object.FromByteArray(value.GetOctets()));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            // A malformed optional extension only costs the recipient the stronger algorithms.
            return None;
        }
    }

    /// <summary>Reads a SMIMECapabilities sequence (RFC 8551 2.5.2) for the two choices we make from it.</summary>
    internal static RecipientCapabilities FromCapabilityList(Asn1Encodable capabilities)
    {
        var gcm = false;
        var oaep = false;
        foreach (var entry in Asn1Sequence.GetInstance(capabilities))
        {
            var capability = SmimeCapability.GetInstance(entry);
            gcm |= capability.CapabilityID.Equals(SmimeOids.Aes256Gcm);
            oaep |= capability.CapabilityID.Equals(SmimeOids.RsaesOaep);
        }

        return new RecipientCapabilities(gcm, oaep);
    }
}
