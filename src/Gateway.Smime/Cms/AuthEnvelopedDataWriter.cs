using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Gateway.Smime.Cms;

/// <summary>
/// Writes AuthEnvelopedData (RFC 5083) with AES-256-GCM (RFC 5084). BouncyCastle for .NET has the ASN.1
/// structures but no generator, so the envelope is assembled here from its recipient-info generators.
/// </summary>
internal static class AuthEnvelopedDataWriter
{
    /// <summary>RFC 5084 3.2: a 12-octet nonce is recommended; the 16-octet tag is the default ICV length.</summary>
    private const int NonceLength = 12;
    private const int TagLength = 16;

    public static byte[] Write(byte[] content, IEnumerable<RecipientInfoGenerator> recipients, SecureRandom random)
    {
        var cek = new byte[32];
        var nonce = new byte[NonceLength];
        random.NextBytes(cek);
        random.NextBytes(nonce);
        try
        {
            var key = new KeyParameter(cek);
            var gcm = new GcmBlockCipher(AesUtilities.CreateEngine());
            gcm.Init(true, new AeadParameters(key, TagLength * 8, nonce));
            var sealedContent = new byte[gcm.GetOutputSize(content.Length)];
            var length = gcm.ProcessBytes(content, 0, content.Length, sealedContent, 0);
            length += gcm.DoFinal(sealedContent, length);

            var infos = new Asn1EncodableVector();
            foreach (var recipient in recipients)
            {
                infos.Add(recipient.Generate(key, random));
            }
            // The tag travels in the mac field, not appended to the ciphertext (RFC 5084 3.2).
            var encryptedContent = new EncryptedContentInfo(
                CmsObjectIdentifiers.Data,
                new AlgorithmIdentifier(SmimeOids.Aes256Gcm, new GcmParameters(nonce, TagLength)),
                new DerOctetString(sealedContent.AsSpan(0, length - TagLength).ToArray()));
            var envelope = new AuthEnvelopedData(
                null, new DerSet(infos), encryptedContent, null, new DerOctetString(sealedContent.AsSpan(length - TagLength, TagLength).ToArray()), null);
            return new ContentInfo(CmsObjectIdentifiers.AuthEnvelopedData, envelope).GetEncoded(Asn1Encodable.Der);
        }
        finally
        {
            Array.Clear(cek);
        }
    }
}
