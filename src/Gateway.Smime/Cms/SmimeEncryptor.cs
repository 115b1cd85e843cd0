using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Cms;
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
        var gcm = options.AssumeAuthEnveloped || recipients.All(r => r.Capabilities.Aes256Gcm);

        byte[] cms;
        if (gcm)
        {
            cms = AuthEnvelopedDataWriter.Write(plaintext, recipients.Select((r, i) => RecipientInfoFactory.Generator(r, transports[i])), _random);
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
            generator.AddRecipientInfoGenerator(RecipientInfoFactory.Generator(recipients[i], transports[i]));
        }
        // DER rather than BouncyCastle's default BER: gpgsm's parser (libksba) rejects the indefinite-length form.
        var envelope = generator.Generate(new CmsProcessableByteArray(plaintext), SmimeOids.Aes256Cbc);
        return envelope.ContentInfo.GetEncoded(Org.BouncyCastle.Asn1.Asn1Encodable.Der);
    }
}
