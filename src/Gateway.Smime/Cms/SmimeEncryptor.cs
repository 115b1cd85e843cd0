using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Gateway.Smime.Cms;

/// <summary>
/// Encrypts a message's body for one or more recipient certificates. AES-256-GCM AuthEnvelopedData when every
/// recipient reads it (advertised or asserted by policy), else AES-256-CBC EnvelopedData (RFC 8551 2.7);
/// RSA key transport (PKCS#1 v1.5 or OAEP) and, for EC recipients, ephemeral-static ECDH with AES key wrap
/// (RFC 5753). Encryption needs no private key, so it does not touch the key source.
/// </summary>
public sealed class SmimeEncryptor
{
    private readonly SecureRandom _random = new();

    public async Task<SmimeEncryptResult> EncryptAsync(MimeMessage message, IReadOnlyList<SmimeRecipient> recipients, SmimeEncryptOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentNullException.ThrowIfNull(options);
        if (recipients.Count == 0)
        {
            throw new ArgumentException("At least one recipient is needed.", nameof(recipients));
        }
        var body = message.Body ?? throw new ArgumentException("The message has no body to encrypt.", nameof(message));

        // Encrypted content is not re-encoded (a signed body inside stays byte-exact), only written with CRLF.
        using var content = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        await body.WriteToAsync(format, content, cancellationToken).ConfigureAwait(false);
        var plaintext = content.ToArray();

        var transports = recipients.Select(r => RecipientInfoFactory.Choose(r, options)).ToList();
        // BouncyCastle's key-agreement generator is internal, so GCM is used only when every recipient is RSA.
        var gcm = (options.AssumeAuthEnveloped || recipients.All(r => r.Capabilities.Aes256Gcm))
            && !transports.Contains(SmimeKeyTransport.EcdhAesWrap);

        byte[] cms;
        if (gcm)
        {
            cms = AuthEnvelopedDataWriter.Write(plaintext, recipients.Select((r, i) => RecipientInfoFactory.KeyTransport(r, transports[i])), _random);
        }
        else
        {
            cms = WriteEnvelopedData(plaintext, recipients, transports);
        }
        Array.Clear(plaintext);

        message.Body = new ApplicationPkcs7Mime(gcm ? SecureMimeType.AuthEnvelopedData : SecureMimeType.EnvelopedData, new MemoryStream(cms, writable: false));
        return new SmimeEncryptResult(gcm ? SmimeContentEncryption.Aes256Gcm : SmimeContentEncryption.Aes256Cbc, transports);
    }

    private byte[] WriteEnvelopedData(byte[] plaintext, IReadOnlyList<SmimeRecipient> recipients, List<SmimeKeyTransport> transports)
    {
        var generator = new CmsEnvelopedDataGenerator(_random);
        for (var i = 0; i < recipients.Count; i++)
        {
            if (transports[i] == SmimeKeyTransport.EcdhAesWrap)
            {
                // RFC 5753 3.1: a fresh ephemeral key on the recipient's curve for each recipient.
                var recipientKey = (ECPublicKeyParameters)recipients[i].Certificate.GetPublicKey();
                var ephemeral = new ECKeyPairGenerator();
                ephemeral.Init(recipientKey.PublicKeyParamSet is { } curve
                    ? new ECKeyGenerationParameters(curve, _random)
                    : new ECKeyGenerationParameters(recipientKey.Parameters, _random));
                var pair = ephemeral.GenerateKeyPair();
                generator.AddKeyAgreementRecipient(CmsEnvelopedGenerator.ECDHSha256Kdf, pair.Private, pair.Public,
                    recipients[i].Certificate, CmsEnvelopedGenerator.Aes256Wrap);
            }
            else
            {
                generator.AddRecipientInfoGenerator(RecipientInfoFactory.KeyTransport(recipients[i], transports[i]));
            }
        }
        // DER rather than BouncyCastle's default BER: gpgsm's parser (libksba) rejects the indefinite-length form.
        var envelope = generator.Generate(new CmsProcessableByteArray(plaintext), SmimeOids.Aes256Cbc);
        return envelope.ContentInfo.GetEncoded(Org.BouncyCastle.Asn1.Asn1Encodable.Der);
    }
}
