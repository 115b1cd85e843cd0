using MimeKit;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
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
        var envelopeInfo = EnvelopedData.GetInstance(info.Content);
        var contentAlgorithm = envelopeInfo.EncryptedContentInfo.ContentEncryptionAlgorithm.Algorithm.Id;
        if (!EnvelopeAlgorithms.CbcContent.Contains(contentAlgorithm))
        {
            return new SmimeDecryptResult(SmimeDecryptStatus.UnsupportedAlgorithm, Detail: "content encryption " + contentAlgorithm);
        }
        var agreed = await DecryptKeyAgreementAsync(envelopeInfo, contentAlgorithm, cancellationToken).ConfigureAwait(false);
        if (agreed is not null)
        {
            return agreed;
        }
        var (transports, unsupported) = KeyTransportRecipients(envelopeInfo.RecipientInfos);
        foreach (var (keyTransport, identity) in transports)
        {
            var result = await TryRecipientAsync(identity, lease => OpenCbc(envelopeInfo.EncryptedContentInfo, UnwrapKeyTransport(keyTransport, lease)),
                contentAlgorithm, authenticated: false, cancellationToken).ConfigureAwait(false);
            if (result is not null)
            {
                return result;
            }
        }
        return unsupported is not null
            ? new SmimeDecryptResult(SmimeDecryptStatus.UnsupportedAlgorithm, Detail: "key encryption " + unsupported)
            : new SmimeDecryptResult(SmimeDecryptStatus.NoKey);
    }

    /// <summary>
    /// The key-transport recipients of an envelope with their identifiers, and the last unsupported recipient kind or
    /// key-encryption algorithm seen (key agreement recipients are handled apart).
    /// </summary>
    private static (List<(KeyTransRecipientInfo Info, RecipientIdentity Identity)> Recipients, string? Unsupported) KeyTransportRecipients(Asn1Set recipientInfos)
    {
        var recipients = new List<(KeyTransRecipientInfo, RecipientIdentity)>();
        string? unsupported = null;
        foreach (var element in recipientInfos)
        {
            var info = RecipientInfo.GetInstance(element).Info;
            if (info is KeyAgreeRecipientInfo)
            {
                continue;
            }
            if (info is not KeyTransRecipientInfo keyTransport)
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
            recipients.Add((keyTransport, identity));
        }
        return (recipients, unsupported);
    }

    /// <summary>
    /// EC recipients of an EnvelopedData, decrypted with our own RFC 5753 key agreement; null when no key
    /// agreement recipient has a key here.
    /// </summary>
    private async Task<SmimeDecryptResult?> DecryptKeyAgreementAsync(EnvelopedData envelope, string contentAlgorithm, CancellationToken cancellationToken)
    {
        foreach (var (info, encryptedKey, identity) in KeyAgreeRecipients(envelope.RecipientInfos))
        {
            var result = await TryRecipientAsync(identity,
                lease => OpenCbc(envelope.EncryptedContentInfo, EcdhKeyAgreement.UnwrapKey(info, encryptedKey, (ECPrivateKeyParameters)lease.PrivateKey)), contentAlgorithm, authenticated: false, cancellationToken).ConfigureAwait(false);
            if (result is not null)
            {
                return result;
            }
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

    /// <summary>
    /// RFC 3565 AES-CBC or RFC 3370 4.3.1 3DES-CBC content, both with the IV as the algorithm parameter; padding errors
    /// mean a wrong key.
    /// </summary>
    private static byte[] OpenCbc(EncryptedContentInfo content, byte[] cek)
    {
        try
        {
            var iv = Asn1OctetString.GetInstance(content.ContentEncryptionAlgorithm.Parameters).GetOctets();
            var cipher = CipherUtilities.GetCipher(content.ContentEncryptionAlgorithm.Algorithm.Equals(Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.DesEde3Cbc)
                ? "DESEDE/CBC/PKCS7PADDING"
                : "AES/CBC/PKCS7PADDING");
            cipher.Init(false, new ParametersWithIV(new KeyParameter(cek), iv));
            return cipher.DoFinal(content.EncryptedContent?.GetOctets() ?? []);
        }
        finally
        {
            Array.Clear(cek);
        }
    }

    /// <summary>
    /// RSA key transport, PKCS#1 v1.5 or OAEP with the parameters the sender named (RFC 8017 A.2.1). The RSA operation
    /// is the platform's (OpenSSL) when it supports the parameters (OAEP with MGF1 over the same hash and no label,
    /// which is what senders use), else BouncyCastle's.
    /// </summary>
    private static byte[] UnwrapKeyTransport(KeyTransRecipientInfo keyTransport, RecipientKeyLease lease)
    {
        var algorithm = keyTransport.KeyEncryptionAlgorithm;
        var encryptedKey = keyTransport.EncryptedKey.GetOctets();
        var key = lease.PrivateKey;
        if (key is RsaKeyParameters && NativePadding(algorithm) is { } padding)
        {
            if (lease.NativeKeys is { IsRsa: true } pool)
            {
                var pooled = (System.Security.Cryptography.RSA)pool.Rent();
                try
                {
                    return pooled.Decrypt(encryptedKey, padding);
                }
                finally
                {
                    pool.Return(pooled);
                }
            }
            using var rsa = NativeKeys.Rsa(key);
            return rsa.Decrypt(encryptedKey, padding);
        }

        var unwrapper = new Asn1KeyUnwrapper(algorithm.Algorithm, algorithm.Parameters, key);
        return unwrapper.Unwrap(encryptedKey, 0, encryptedKey.Length).Collect();
    }

    private static System.Security.Cryptography.RSAEncryptionPadding? NativePadding(Org.BouncyCastle.Asn1.X509.AlgorithmIdentifier algorithm)
    {
        if (algorithm.Algorithm.Equals(Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.RsaEncryption))
        {
            return System.Security.Cryptography.RSAEncryptionPadding.Pkcs1;
        }

        if (!algorithm.Algorithm.Equals(Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.IdRsaesOaep))
        {
            return null;
        }

        var parameters = algorithm.Parameters is null ? new Org.BouncyCastle.Asn1.Pkcs.RsaesOaepParameters() : Org.BouncyCastle.Asn1.Pkcs.RsaesOaepParameters.GetInstance(algorithm.Parameters);
        if (!parameters.MaskGenAlgorithm.Algorithm.Equals(Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.IdMgf1))
        {
            return null;
        }

        var hash = parameters.HashAlgorithm.Algorithm;
        var mgfHash = Org.BouncyCastle.Asn1.X509.AlgorithmIdentifier.GetInstance(parameters.MaskGenAlgorithm.Parameters).Algorithm;
        var label = Asn1OctetString.GetInstance(parameters.PSourceAlgorithm.Parameters).GetOctets();
        if (!hash.Equals(mgfHash) || label.Length > 0)
        {
            return null;
        }

        return hash.Id switch
        {
            "1.3.14.3.2.26" => System.Security.Cryptography.RSAEncryptionPadding.OaepSHA1,
            "2.16.840.1.101.3.4.2.1" => System.Security.Cryptography.RSAEncryptionPadding.OaepSHA256,
            "2.16.840.1.101.3.4.2.2" => System.Security.Cryptography.RSAEncryptionPadding.OaepSHA384,
            "2.16.840.1.101.3.4.2.3" => System.Security.Cryptography.RSAEncryptionPadding.OaepSHA512,
            _ => null,
        };
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
            var result = await TryRecipientAsync(identity,
                lease => OpenGcm(envelope, EcdhKeyAgreement.UnwrapKey(info, encryptedKey, (ECPrivateKeyParameters)lease.PrivateKey)), contentAlgorithm, authenticated: true, cancellationToken).ConfigureAwait(false);
            if (result is not null)
            {
                return result;
            }
        }
        var (transports, unsupported) = KeyTransportRecipients(envelope.RecipientInfos);
        foreach (var (keyTransport, identity) in transports)
        {
            var result = await TryRecipientAsync(identity, lease => OpenGcm(envelope, UnwrapKeyTransport(keyTransport, lease)), contentAlgorithm, authenticated: true, cancellationToken).ConfigureAwait(false);
            if (result is not null)
            {
                return result;
            }
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

    /// <summary>
    /// Asks the key source for one recipient: null when it holds no key, else the decrypted content or the
    /// typed failure. The lease ends when this returns, before the content is parsed further by callers.
    /// </summary>
    private async Task<SmimeDecryptResult?> TryRecipientAsync(RecipientIdentity identity, Func<RecipientKeyLease, byte[]> open,
        string contentAlgorithm, bool authenticated, CancellationToken cancellationToken)
    {
        using var lease = await _keys.FindRecipientKeyAsync(identity, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return null;
        }
        byte[] plaintext;
        try
        {
            plaintext = open(lease);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Padding, unwrap and tag failures all mean this key does not open this envelope.
            return new SmimeDecryptResult(SmimeDecryptStatus.WrongKey, KeyName: lease.KeyName, Recipient: identity, Detail: e.Message);
        }
        return await ParseAsync(plaintext, lease.KeyName, identity, contentAlgorithm, authenticated, cancellationToken).ConfigureAwait(false);
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
