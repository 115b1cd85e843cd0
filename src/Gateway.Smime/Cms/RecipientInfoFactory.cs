using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Smime.Cms;

/// <summary>Chooses the key transport per recipient and builds the RSA key-transport RecipientInfo generators.</summary>
internal static class RecipientInfoFactory
{
    public static SmimeKeyTransport Choose(SmimeRecipient recipient, SmimeEncryptOptions options)
    {
        var publicKey = recipient.Certificate.GetPublicKey();
        if (publicKey is ECPublicKeyParameters)
        {
            return SmimeKeyTransport.EcdhAesWrap;
        }
        if (publicKey is not RsaKeyParameters)
        {
            throw new NotSupportedException($"Recipient keys of type {publicKey.GetType().Name} are not supported.");
        }
        // RFC 4055 1.2: a key marked RSAES-OAEP (or RSASSA-PSS) in its certificate is not for PKCS#1 v1.5.
        var algorithm = recipient.Certificate.CertificateStructure.SubjectPublicKeyInfo.Algorithm.Algorithm;
        var marked = algorithm.Equals(SmimeOids.RsaesOaep) || algorithm.Equals(SmimeOids.RsassaPss);
        return marked || options.PreferRsaOaep || recipient.Capabilities.RsaOaep ? SmimeKeyTransport.RsaOaep : SmimeKeyTransport.RsaPkcs1;
    }

    public static RecipientInfoGenerator Generator(SmimeRecipient recipient, SmimeKeyTransport transport)
    {
        if (transport == SmimeKeyTransport.EcdhAesWrap)
        {
            return new EcdhRecipientInfoGenerator(recipient.Certificate);
        }
        var algorithm = transport == SmimeKeyTransport.RsaOaep
            ? new AlgorithmIdentifier(SmimeOids.RsaesOaep, OaepSha256)
            : new AlgorithmIdentifier(PkcsObjectIdentifiers.RsaEncryption, DerNull.Instance);
        return new KeyTransRecipientInfoGenerator(recipient.Certificate, new Asn1KeyWrapper(algorithm, recipient.Certificate));
    }

    /// <summary>RFC 8017 A.2.1 with SHA-256 for both hash and MGF1 (RFC 4055's SHA-1 defaults are no longer advised).</summary>
    private static readonly RsaesOaepParameters OaepSha256 = new(
        new AlgorithmIdentifier(NistObjectIdentifiers.IdSha256, DerNull.Instance),
        new AlgorithmIdentifier(PkcsObjectIdentifiers.IdMgf1, new AlgorithmIdentifier(NistObjectIdentifiers.IdSha256, DerNull.Instance)),
        RsaesOaepParameters.DefaultPSourceAlgorithm);
}
