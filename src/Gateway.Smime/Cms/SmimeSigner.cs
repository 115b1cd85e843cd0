using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Utilities.Collections;
using CmsAttributes = Org.BouncyCastle.Asn1.Cms.CmsAttributes;

namespace Gateway.Smime.Cms;

/// <summary>
/// Signs outbound mail with the sender's (or the domain's) key: SHA-256, signer chain included, our
/// smimeCapabilities signed. Built on BouncyCastle's CMS stream generator rather than MimeKit's
/// BouncyCastleSecureMimeContext so that the gateway decides exactly which bytes are signed and which attributes
/// go in (MimeKit's context writes its own capability list and signing time from the system clock), and so the
/// content is hashed while it is written rather than after.
/// </summary>
public sealed class SmimeSigner
{
    private readonly ISmimeKeySource _keys;
    private readonly TimeProvider _time;

    public SmimeSigner(ISmimeKeySource keys, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(time);
        _keys = keys;
        _time = time;
    }

    /// <summary>
    /// Replaces <paramref name="message"/>'s body with its signed form. Write the message with CRLF line endings
    /// (as SMTP does) and never re-encode its body afterwards: the first part's bytes are exactly those signed.
    /// </summary>
    public async Task<SmimeSignResult> SignAsync(MimeMessage message, string senderAddress, SmimeSignOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);
        var body = message.Body ?? throw new ArgumentException("The message has no body to sign.", nameof(message));
        using var lease = await _keys.FindSigningKeyAsync(senderAddress, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return SmimeSignResult.NoKey;
        }

        using var content = new MemoryStream();
        await SignedContentPreparer.WriteCanonicalAsync(body, content, cancellationToken).ConfigureAwait(false);
        var signedBytes = content.ToArray();

        var encapsulate = options.Form == SmimeSignatureForm.Opaque;
        var cms = Sign(lease, signedBytes, encapsulate);

        if (encapsulate)
        {
            message.Body = new ApplicationPkcs7Mime(SecureMimeType.SignedData, new MemoryStream(cms, writable: false));
        }
        else
        {
            // The signed entity is re-parsed from the signed bytes: MimeKit then writes it back verbatim,
            // which is what keeps the wire bytes equal to the signed bytes.
            var signedEntity = await MimeEntity.LoadAsync(new MemoryStream(signedBytes, writable: false), cancellationToken).ConfigureAwait(false);
            var multipart = new Multipart("signed");
            multipart.ContentType.Parameters["protocol"] = "application/pkcs7-signature";
            multipart.ContentType.Parameters["micalg"] = "sha-256";
            multipart.Add(signedEntity);
            multipart.Add(new ApplicationPkcs7Signature(new MemoryStream(cms, writable: false)));
            message.Body = multipart;
        }
        return new SmimeSignResult(SmimeSignStatus.Success, lease.KeyName, signedBytes);
    }

    private byte[] Sign(SigningKeyLease lease, byte[] content, bool encapsulate)
    {
        var generator = new CmsSignedDataGenerator();
        var attributes = new Dictionary<DerObjectIdentifier, object>
        {
            // RFC 8551 2.5.1: signingTime from the injected clock, not the generator's DateTime.UtcNow.
            [CmsAttributes.SigningTime] = new Org.BouncyCastle.Asn1.Cms.Attribute(
                CmsAttributes.SigningTime, new DerSet(new Time(_time.GetUtcNow().UtcDateTime))),
            [Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.Pkcs9AtSmimeCapabilities] = SmimeCapabilitiesAttribute.Create(),
        };
        using var signature = new NativeSignatureFactory(lease.PrivateKey, lease.NativeKeys);
        generator.AddSignerInfoGenerator(new SignerInfoGeneratorBuilder()
            .WithSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new AttributeTable(attributes)))
            .Build(signature, lease.Certificate));
        generator.AddCertificates(CollectionUtilities.CreateStore(lease.Chain));

        return generator.Generate(new CmsProcessableByteArray(content), encapsulate).GetEncoded(Asn1Encodable.Der);
    }
}
