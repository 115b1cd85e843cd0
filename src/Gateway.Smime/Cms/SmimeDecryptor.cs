using MimeKit;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Gateway.Smime.Cms;

/// <summary>
/// Decrypts inbound EnvelopedData and AuthEnvelopedData for recipients whose key the key source holds. Every
/// failure is a typed result (STYLE 5: verifiers return verdicts, never exceptions); CMS size and MIME depth are
/// bounded by <see cref="SmimeLimits"/>.
/// </summary>
public sealed class SmimeDecryptor
{
    private readonly ISmimeKeySource _keys;
    private readonly SmimeLimits _limits;

    public SmimeDecryptor(ISmimeKeySource keys, SmimeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(limits);
        _keys = keys;
        _limits = limits;
    }

    public async Task<SmimeDecryptResult> DecryptAsync(MimeEntity entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (entity is not MimePart part || !IsPkcs7Mime(part))
        {
            return new SmimeDecryptResult(SmimeDecryptStatus.NotEncrypted);
        }
        var cms = await CmsPayload.ReadAsync(part, _limits.MaxCmsBytes, cancellationToken).ConfigureAwait(false);
        if (cms is null)
        {
            return new SmimeDecryptResult(SmimeDecryptStatus.TooLarge, Detail: $"CMS larger than {_limits.MaxCmsBytes} bytes");
        }

        ContentInfo info;
        try
        {
            info = ContentInfo.GetInstance(Asn1Object.FromByteArray(cms));
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or Asn1Exception or InvalidOperationException)
        {
            return new SmimeDecryptResult(SmimeDecryptStatus.Invalid, Detail: "CMS does not parse: " + e.Message);
        }

        try
        {
            if (info.ContentType.Equals(CmsObjectIdentifiers.EnvelopedData))
            {
                return await DecryptEnvelopedAsync(info, cancellationToken).ConfigureAwait(false);
            }
            if (info.ContentType.Equals(CmsObjectIdentifiers.AuthEnvelopedData))
            {
                return await DecryptAuthEnvelopedAsync(AuthEnvelopedData.GetInstance(info.Content), cancellationToken).ConfigureAwait(false);
            }
            return new SmimeDecryptResult(SmimeDecryptStatus.NotEncrypted, Detail: "CMS content type " + info.ContentType.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Structure errors inside an envelope that parsed at the top level (truncated or forged fields)
            // surface from BouncyCastle as many exception types; all of them mean "not a valid envelope".
            return new SmimeDecryptResult(SmimeDecryptStatus.Invalid, Detail: "CMS envelope is malformed: " + e.Message);
        }
    }

    private static bool IsPkcs7Mime(MimePart part) =>
        part.ContentType.IsMimeType("application", "pkcs7-mime") || part.ContentType.IsMimeType("application", "x-pkcs7-mime");

    private async Task<SmimeDecryptResult> DecryptEnvelopedAsync(ContentInfo info, CancellationToken cancellationToken)
    {
        var envelope = new CmsEnvelopedData(info);
        var contentAlgorithm = envelope.EncryptionAlgOid;
        if (!EnvelopeAlgorithms.CbcContent.Contains(contentAlgorithm))
        {
            return new SmimeDecryptResult(SmimeDecryptStatus.UnsupportedAlgorithm, Detail: "content encryption " + contentAlgorithm);
        }
        var agreed = await DecryptKeyAgreementAsync(EnvelopedData.GetInstance(info.Content), contentAlgorithm, cancellationToken).ConfigureAwait(false);
        if (agreed is not null)
        {
            return agreed;
        }
        var unsupported = (string?)null;
        foreach (var recipient in envelope.GetRecipientInfos().GetRecipients())
        {
            if (recipient is KeyAgreeRecipientInformation)
            {
                continue;
            }
            if (!EnvelopeAlgorithms.KeyEncryption.Contains(recipient.KeyEncryptionAlgOid))
            {
                unsupported = recipient.KeyEncryptionAlgOid;
                continue;
            }
            var identity = new RecipientIdentity(
                recipient.RecipientID.Issuer is { } issuer && recipient.RecipientID.SerialNumber is { } serial
                    ? new IssuerAndSerialNumber(issuer, serial)
                    : null,
                recipient.RecipientID.SubjectKeyIdentifier);
            using var lease = await _keys.FindRecipientKeyAsync(identity, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                continue;
            }
            byte[] plaintext;
            try
            {
                plaintext = recipient.GetContent(lease.PrivateKey);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new SmimeDecryptResult(SmimeDecryptStatus.WrongKey, KeyName: lease.KeyName, Recipient: identity, Detail: e.Message);
            }
            return await ParseAsync(plaintext, lease.KeyName, identity, contentAlgorithm, authenticated: false, cancellationToken).ConfigureAwait(false);
        }
        return unsupported is not null
            ? new SmimeDecryptResult(SmimeDecryptStatus.UnsupportedAlgorithm, Detail: "key encryption " + unsupported)
            : new SmimeDecryptResult(SmimeDecryptStatus.NoKey);
    }

    /// <summary>
    /// EC recipients of an EnvelopedData, decrypted with our own RFC 5753 key agreement; null when no key
    /// agreement recipient has a key here.
    /// </summary>
    private async Task<SmimeDecryptResult?> DecryptKeyAgreementAsync(EnvelopedData envelope, string contentAlgorithm, CancellationToken cancellationToken)
    {
        foreach (var (info, encryptedKey, identity) in KeyAgreeRecipients(envelope.RecipientInfos))
        {
            using var lease = await _keys.FindRecipientKeyAsync(identity, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                continue;
            }
            byte[] plaintext;
            try
            {
                var cek = EcdhKeyAgreement.UnwrapKey(info, encryptedKey, (ECPrivateKeyParameters)lease.PrivateKey);
                plaintext = OpenCbc(envelope.EncryptedContentInfo, cek);
                Array.Clear(cek);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new SmimeDecryptResult(SmimeDecryptStatus.WrongKey, KeyName: lease.KeyName, Recipient: identity, Detail: e.Message);
            }
            return await ParseAsync(plaintext, lease.KeyName, identity, contentAlgorithm, authenticated: false, cancellationToken).ConfigureAwait(false);
        }
        return null;
    }

    private static IEnumerable<(KeyAgreeRecipientInfo Info, Asn1OctetString EncryptedKey, RecipientIdentity Identity)> KeyAgreeRecipients(Asn1Set recipientInfos)
    {
        foreach (var element in recipientInfos)
        {
            if (RecipientInfo.GetInstance(element).Info is not KeyAgreeRecipientInfo info || !EcdhKeyAgreement.IsKeyAgreement(info.KeyEncryptionAlgorithm.Algorithm))
            {
                continue;
            }
            foreach (var entry in info.RecipientEncryptedKeys)
            {
                var key = RecipientEncryptedKey.GetInstance(entry);
                var identity = key.Identifier.IssuerAndSerialNumber is { } ias
                    ? new RecipientIdentity(ias, null)
                    : new RecipientIdentity(null, key.Identifier.RKeyID.SubjectKeyIdentifier.GetOctets());
                yield return (info, key.EncryptedKey, identity);
            }
        }
    }

    /// <summary>RFC 3565 AES-CBC content with the IV as the algorithm parameter; padding errors mean a wrong key.</summary>
    private static byte[] OpenCbc(EncryptedContentInfo content, byte[] cek)
    {
        var iv = Asn1OctetString.GetInstance(content.ContentEncryptionAlgorithm.Parameters).GetOctets();
        var cipher = CipherUtilities.GetCipher("AES/CBC/PKCS7PADDING");
        cipher.Init(false, new ParametersWithIV(new KeyParameter(cek), iv));
        return cipher.DoFinal(content.EncryptedContent?.GetOctets() ?? []);
    }

    private async Task<SmimeDecryptResult> DecryptAuthEnvelopedAsync(AuthEnvelopedData envelope, CancellationToken cancellationToken)
    {
        var contentInfo = envelope.AuthEncryptedContentInfo;
        var contentAlgorithm = contentInfo.ContentEncryptionAlgorithm.Algorithm.Id;
        if (!EnvelopeAlgorithms.GcmContent.Contains(contentAlgorithm))
        {
            return new SmimeDecryptResult(SmimeDecryptStatus.UnsupportedAlgorithm, Detail: "content encryption " + contentAlgorithm);
        }
        foreach (var (info, encryptedKey, identity) in KeyAgreeRecipients(envelope.RecipientInfos))
        {
            using var lease = await _keys.FindRecipientKeyAsync(identity, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                continue;
            }
            byte[] plaintext;
            try
            {
                var cek = EcdhKeyAgreement.UnwrapKey(info, encryptedKey, (ECPrivateKeyParameters)lease.PrivateKey);
                plaintext = OpenGcm(envelope, cek);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new SmimeDecryptResult(SmimeDecryptStatus.WrongKey, KeyName: lease.KeyName, Recipient: identity, Detail: e.Message);
            }
            return await ParseAsync(plaintext, lease.KeyName, identity, contentAlgorithm, authenticated: true, cancellationToken).ConfigureAwait(false);
        }
        var unsupported = (string?)null;
        foreach (var element in envelope.RecipientInfos)
        {
            if (RecipientInfo.GetInstance(element).Info is KeyAgreeRecipientInfo)
            {
                continue;
            }
            if (RecipientInfo.GetInstance(element).Info is not KeyTransRecipientInfo keyTransport)
            {
                unsupported = "non key-transport recipient";
                continue;
            }
            if (!EnvelopeAlgorithms.IsSupportedKeyEncryption(keyTransport.KeyEncryptionAlgorithm.Algorithm))
            {
                unsupported = keyTransport.KeyEncryptionAlgorithm.Algorithm.Id;
                continue;
            }
            var identity = keyTransport.RecipientIdentifier.IsTagged
                ? new RecipientIdentity(null, Asn1OctetString.GetInstance(keyTransport.RecipientIdentifier.ID).GetOctets())
                : new RecipientIdentity(IssuerAndSerialNumber.GetInstance(keyTransport.RecipientIdentifier.ID), null);
            using var lease = await _keys.FindRecipientKeyAsync(identity, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                continue;
            }
            byte[] plaintext;
            try
            {
                var keyAlgorithm = keyTransport.KeyEncryptionAlgorithm;
                var unwrapper = new Asn1KeyUnwrapper(keyAlgorithm.Algorithm, keyAlgorithm.Parameters, lease.PrivateKey);
                var encryptedKey = keyTransport.EncryptedKey.GetOctets();
                plaintext = OpenGcm(envelope, unwrapper.Unwrap(encryptedKey, 0, encryptedKey.Length).Collect());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new SmimeDecryptResult(SmimeDecryptStatus.WrongKey, KeyName: lease.KeyName, Recipient: identity, Detail: e.Message);
            }
            return await ParseAsync(plaintext, lease.KeyName, identity, contentAlgorithm, authenticated: true, cancellationToken).ConfigureAwait(false);
        }
        return unsupported is not null
            ? new SmimeDecryptResult(SmimeDecryptStatus.UnsupportedAlgorithm, Detail: "key encryption " + unsupported)
            : new SmimeDecryptResult(SmimeDecryptStatus.NoKey);
    }

    private static byte[] OpenGcm(AuthEnvelopedData envelope, byte[] cek)
    {
        try
        {
            var contentInfo = envelope.AuthEncryptedContentInfo;
            var parameters = GcmParameters.GetInstance(contentInfo.ContentEncryptionAlgorithm.Parameters);
            var gcm = new GcmBlockCipher(AesUtilities.CreateEngine());
            gcm.Init(false, new AeadParameters(new KeyParameter(cek), parameters.IcvLen * 8, parameters.GetNonce()));
            if (envelope.AuthAttrs is { } authAttributes)
            {
                // RFC 5083 2.2: the authenticated attributes, DER-encoded as a SET OF, are the GCM additional data.
                var aad = authAttributes.GetEncoded(Asn1Encodable.Der);
                gcm.ProcessAadBytes(aad, 0, aad.Length);
            }
            var ciphertext = contentInfo.EncryptedContent?.GetOctets() ?? [];
            var tag = envelope.Mac.GetOctets();
            var input = new byte[ciphertext.Length + tag.Length];
            ciphertext.CopyTo(input, 0);
            tag.CopyTo(input, ciphertext.Length);
            var output = new byte[gcm.GetOutputSize(input.Length)];
            var length = gcm.ProcessBytes(input, 0, input.Length, output, 0);
            length += gcm.DoFinal(output, length);
            return output.AsSpan(0, length).ToArray();
        }
        finally
        {
            Array.Clear(cek);
        }
    }

    private async Task<SmimeDecryptResult> ParseAsync(byte[] plaintext, string keyName, RecipientIdentity identity, string algorithm, bool authenticated, CancellationToken cancellationToken)
    {
        var (entity, tooDeep) = await BoundedMimeLoader.LoadAsync(plaintext, _limits, cancellationToken).ConfigureAwait(false);
        if (tooDeep)
        {
            return new SmimeDecryptResult(SmimeDecryptStatus.NestingTooDeep, KeyName: keyName, Recipient: identity, ContentAlgorithm: algorithm,
                Authenticated: authenticated, Detail: $"MIME nested deeper than {_limits.MaxMimeDepth}");
        }
        return new SmimeDecryptResult(SmimeDecryptStatus.Decrypted, entity, keyName, identity, algorithm, authenticated);
    }
}
