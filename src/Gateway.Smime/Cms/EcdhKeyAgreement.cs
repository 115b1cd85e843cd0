using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Cms;

/// <summary>
/// Ephemeral-static ECDH key agreement for CMS (RFC 5753 3.1 with the ECC-CMS-SharedInfo of 7.2 and the X9.63
/// KDF), written here because BouncyCastle's own CMS key agreement derives a different key from openssl's.
/// </summary>
internal static class EcdhKeyAgreement
{
    /// <summary>RFC 5753 7.1.4: dhSinglePass-stdDH-sha256kdf-scheme, the scheme we write.</summary>
    public static readonly DerObjectIdentifier StdDhSha256Kdf = new("1.3.132.1.11.1");

    public static bool IsKeyAgreement(DerObjectIdentifier oid) => Digest(oid) is not null;

    /// <summary>The content-encryption key for our recipient entry, or throws when the key does not fit.</summary>
    public static byte[] UnwrapKey(KeyAgreeRecipientInfo info, Asn1OctetString encryptedKey, ECPrivateKeyParameters privateKey)
    {
        var originator = info.Originator.OriginatorKey
            ?? throw new CmsException("only an originator public key is supported (ephemeral-static ECDH)");
        var point = privateKey.Parameters.Curve.DecodePoint(originator.PublicKey.GetOctets());
        var kek = DeriveKek(privateKey, new ECPublicKeyParameters(point, privateKey.Parameters), info.KeyEncryptionAlgorithm, info.UserKeyingMaterial);
        var wrap = new AesWrapEngine();
        wrap.Init(false, new KeyParameter(kek));
        var wrapped = encryptedKey.GetOctets();
        return wrap.Unwrap(wrapped, 0, wrapped.Length);
    }

    public static byte[] DeriveKek(ECPrivateKeyParameters privateKey, ECPublicKeyParameters publicKey, AlgorithmIdentifier keyEncryption, Asn1OctetString? ukm)
    {
        var digest = Digest(keyEncryption.Algorithm) ?? throw new CmsException("unsupported key agreement " + keyEncryption.Algorithm.Id);
        var wrapAlgorithm = AlgorithmIdentifier.GetInstance(keyEncryption.Parameters);
        var keyLength = WrapKeyLength(wrapAlgorithm.Algorithm);

        var agreement = new ECDHBasicAgreement();
        agreement.Init(privateKey);
        var z = BigIntegers.AsUnsignedByteArray(agreement.GetFieldSize(), agreement.CalculateAgreement(publicKey));

        // RFC 5753 7.2: ECC-CMS-SharedInfo with the wrap algorithm exactly as it appears in the message.
        var sharedInfo = new Asn1EncodableVector(wrapAlgorithm);
        if (ukm is not null)
        {
            sharedInfo.Add(new DerTaggedObject(true, 0, ukm));
        }
        var bits = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bits, keyLength * 8);
        sharedInfo.Add(new DerTaggedObject(true, 2, new DerOctetString(bits)));
        var info = new DerSequence(sharedInfo).GetEncoded(Asn1Encodable.Der);

        // ANSI X9.63 KDF: Hash(Z || counter || SharedInfo), counter from 1, until enough bytes.
        var output = new byte[keyLength];
        var block = new byte[digest.GetDigestSize()];
        var counter = new byte[4];
        for (int offset = 0, i = 1; offset < keyLength; offset += block.Length, i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(counter, i);
            digest.Reset();
            digest.BlockUpdate(z, 0, z.Length);
            digest.BlockUpdate(counter, 0, 4);
            digest.BlockUpdate(info, 0, info.Length);
            digest.DoFinal(block, 0);
            Array.Copy(block, 0, output, offset, Math.Min(block.Length, keyLength - offset));
        }
        Array.Clear(z);
        return output;
    }

    private static IDigest? Digest(DerObjectIdentifier scheme) => scheme.Id switch
    {
        "1.3.133.16.840.63.0.2" => new Sha1Digest(),
        "1.3.132.1.11.0" => new Sha224Digest(),
        "1.3.132.1.11.1" => new Sha256Digest(),
        "1.3.132.1.11.2" => new Sha384Digest(),
        "1.3.132.1.11.3" => new Sha512Digest(),
        _ => null,
    };

    private static int WrapKeyLength(DerObjectIdentifier wrap) =>
        wrap.Equals(NistObjectIdentifiers.IdAes128Wrap) ? 16
        : wrap.Equals(NistObjectIdentifiers.IdAes192Wrap) ? 24
        : wrap.Equals(NistObjectIdentifiers.IdAes256Wrap) ? 32
        : throw new CmsException("unsupported key wrap " + wrap.Id);
}

/// <summary>Writes a KeyAgreeRecipientInfo for one EC recipient with a fresh ephemeral key (RFC 5753 3.1.1).</summary>
internal sealed class EcdhRecipientInfoGenerator : RecipientInfoGenerator
{
    private readonly X509Certificate _certificate;

    public EcdhRecipientInfoGenerator(X509Certificate certificate)
    {
        _certificate = certificate;
    }

    public RecipientInfo Generate(KeyParameter contentEncryptionKey, SecureRandom random)
    {
        var recipientKey = (ECPublicKeyParameters)_certificate.GetPublicKey();
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(recipientKey.Parameters, random));
        var ephemeral = generator.GenerateKeyPair();
        var keyEncryption = new AlgorithmIdentifier(EcdhKeyAgreement.StdDhSha256Kdf, new AlgorithmIdentifier(NistObjectIdentifiers.IdAes256Wrap));
        var kek = EcdhKeyAgreement.DeriveKek((ECPrivateKeyParameters)ephemeral.Private, recipientKey, keyEncryption, null);
        var wrap = new AesWrapEngine();
        wrap.Init(true, new KeyParameter(kek));
        var cek = contentEncryptionKey.GetKey();
        var wrapped = wrap.Wrap(cek, 0, cek.Length);
        Array.Clear(kek);

        // RFC 5753 3.1.1: the originator key's algorithm is id-ecPublicKey with absent or NULL parameters.
        var originatorPoint = ((ECPublicKeyParameters)ephemeral.Public).Q.GetEncoded(false);
        var originator = new OriginatorIdentifierOrKey(new OriginatorPublicKey(
            new AlgorithmIdentifier(X9ObjectIdentifiers.IdECPublicKey), originatorPoint));
        var rid = new KeyAgreeRecipientIdentifier(new IssuerAndSerialNumber(_certificate.IssuerDN, _certificate.SerialNumber));
        var encryptedKeys = new DerSequence(new RecipientEncryptedKey(rid, new DerOctetString(wrapped)));
        return new RecipientInfo(new KeyAgreeRecipientInfo(originator, null, keyEncryption, encryptedKeys));
    }
}
