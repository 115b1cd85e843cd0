using Gateway.Smime.Revocation;
using MimeKit;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Cms;
using CmsAttributes = Org.BouncyCastle.Asn1.Cms.CmsAttributes;

namespace Gateway.Smime.Cms;

/// <summary>
/// Verifies S/MIME signatures (detached multipart/signed and opaque signed-data) against the configured trust
/// anchors. Detached content is checked over the raw bytes of the signed part as they arrived (sliced by the
/// parser's offsets), never over a re-serialisation, so what is verified is what the recipient gets.
/// </summary>
public sealed class SmimeVerifier
{
    private readonly SmimeTrust _trust;
    private readonly TimeProvider _time;
    private readonly SmimeLimits _limits;
    private readonly RevocationChecker? _revocation;

    /// <param name="trust">The anchors signatures must chain to.</param>
    /// <param name="time">Our clock, for certificate validity and signing times.</param>
    /// <param name="limits">Sizes and depths.</param>
    /// <param name="revocation">Checks trusted chains against CRLs; null leaves every signer <see cref="RevocationStatus.NotChecked"/>.</param>
    public SmimeVerifier(SmimeTrust trust, TimeProvider time, SmimeLimits limits, RevocationChecker? revocation = null)
    {
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(limits);
        _trust = trust;
        _time = time;
        _limits = limits;
        _revocation = revocation;
    }

    /// <summary>Verifies the first signed entity found in <paramref name="rawMessage"/> (a seekable stream of the message as received).</summary>
    public async Task<SmimeVerifyResult> VerifyAsync(Stream rawMessage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rawMessage);
        var offsets = new Dictionary<MimeEntity, (long Begin, long End)>(ReferenceEqualityComparer.Instance);
        var start = rawMessage.Position;
        MimeMessage? message;
        bool tooDeep;
        try
        {
            (message, tooDeep) = await BoundedMimeLoader.LoadMessageAsync(rawMessage, _limits,
                (_, e) => offsets[e.Entity] = (e.BeginOffset, e.EndOffset), cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            return new SmimeVerifyResult(SmimeVerifyStatus.Malformed, Detail: e.Message);
        }
        if (tooDeep || message?.Body is null)
        {
            return new SmimeVerifyResult(tooDeep ? SmimeVerifyStatus.NestingTooDeep : SmimeVerifyStatus.NotSigned);
        }

        var (entity, path) = FindSigned(message.Body);
        var from = message.From.Mailboxes.Select(m => m.Address).ToList();
        try
        {
            switch (entity)
            {
                case Multipart { Count: 2 } signed when signed[1] is MimePart signature:
                    var (begin, end) = offsets[signed[0]];
                    var content = await SliceAsync(rawMessage, start + begin, end - begin, cancellationToken).ConfigureAwait(false);
                    var detachedCms = await CmsPayload.ReadAsync(signature, _limits.MaxCmsBytes, cancellationToken).ConfigureAwait(false);
                    if (detachedCms is null || content is null)
                    {
                        return new SmimeVerifyResult(SmimeVerifyStatus.TooLarge, SmimeSignatureForm.Detached, path);
                    }
                    var detached = new CmsSignedData(new CmsProcessableByteArray(content), detachedCms);
                    return await JudgeAsync(detached, SmimeSignatureForm.Detached, path, signed[0], from, cancellationToken).ConfigureAwait(false);
                case MimePart opaque:
                    var opaqueCms = await CmsPayload.ReadAsync(opaque, _limits.MaxCmsBytes, cancellationToken).ConfigureAwait(false);
                    if (opaqueCms is null)
                    {
                        return new SmimeVerifyResult(SmimeVerifyStatus.TooLarge, SmimeSignatureForm.Opaque, path);
                    }
                    var encapsulated = new CmsSignedData(opaqueCms);
                    if (encapsulated.SignedContent is not { } signedContent)
                    {
                        return new SmimeVerifyResult(SmimeVerifyStatus.Malformed, SmimeSignatureForm.Opaque, path, Detail: "no encapsulated content");
                    }
                    var inner = ReadAll(signedContent);
                    var (innerEntity, innerTooDeep) = await BoundedMimeLoader.LoadAsync(inner, _limits, cancellationToken).ConfigureAwait(false);
                    if (innerTooDeep)
                    {
                        return new SmimeVerifyResult(SmimeVerifyStatus.NestingTooDeep, SmimeSignatureForm.Opaque, path);
                    }
                    return await JudgeAsync(encapsulated, SmimeSignatureForm.Opaque, path, innerEntity, from, cancellationToken).ConfigureAwait(false);
                default:
                    return new SmimeVerifyResult(SmimeVerifyStatus.NotSigned);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // BouncyCastle reports truncated or forged CMS through many exception types; all mean "malformed".
            return new SmimeVerifyResult(SmimeVerifyStatus.Malformed, Form: entity is Multipart ? SmimeSignatureForm.Detached : SmimeSignatureForm.Opaque,
                SignedPartPath: path, Detail: e.Message);
        }
    }

    private static byte[] ReadAll(CmsProcessable content)
    {
        using var bytes = new MemoryStream();
        content.Write(bytes);
        return bytes.ToArray();
    }

    /// <summary>Breadth-first, without recursion: the outermost signed entity and its path from the body.</summary>
    private static (MimeEntity? Entity, string Path) FindSigned(MimeEntity body)
    {
        var pending = new Queue<(MimeEntity Entity, string Path)>();
        pending.Enqueue((body, ""));
        while (pending.Count > 0)
        {
            var (entity, path) = pending.Dequeue();
            if (entity is Multipart multipart)
            {
                if (multipart.ContentType.IsMimeType("multipart", "signed") && IsPkcs7Signature(multipart.ContentType.Parameters["protocol"]))
                {
                    return (multipart, path);
                }
                for (var i = 0; i < multipart.Count; i++)
                {
                    pending.Enqueue((multipart[i], path.Length == 0 ? $"{i + 1}" : $"{path}.{i + 1}"));
                }
            }
            else if (entity is MimePart part && IsOpaqueSigned(part))
            {
                return (part, path);
            }
        }
        return (null, "");
    }

    private static bool IsPkcs7Signature(string? protocol) =>
        protocol is not null && (protocol.Equals("application/pkcs7-signature", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("application/x-pkcs7-signature", StringComparison.OrdinalIgnoreCase));

    private static bool IsOpaqueSigned(MimePart part) =>
        (part.ContentType.IsMimeType("application", "pkcs7-mime") || part.ContentType.IsMimeType("application", "x-pkcs7-mime"))
        && string.Equals(part.ContentType.Parameters["smime-type"], "signed-data", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The signed part's bytes as received. RFC 8551 3.1.1 defines signatures over CRLF text; a spool that
    /// stored bare LF gets them restored here, which is the only change ever made.
    /// </summary>
    private async Task<byte[]?> SliceAsync(Stream raw, long offset, long length, CancellationToken cancellationToken)
    {
        if (length > _limits.MaxCmsBytes)
        {
            return null;
        }
        var buffer = new byte[length];
        raw.Position = offset;
        await raw.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.AsSpan().Contains((byte)'\n') && !HasOnlyCrlf(buffer) ? ToCrlf(buffer) : buffer;
    }

    private static bool HasOnlyCrlf(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r'))
            {
                return false;
            }
        }
        return true;
    }

    private static byte[] ToCrlf(byte[] bytes)
    {
        using var output = new MemoryStream(bytes.Length + (bytes.Length / 40));
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r'))
            {
                output.WriteByte((byte)'\r');
            }
            output.WriteByte(bytes[i]);
        }
        return output.ToArray();
    }

    private async Task<SmimeVerifyResult> JudgeAsync(CmsSignedData cms, SmimeSignatureForm form, string path, MimeEntity? content, IReadOnlyList<string> from,
        CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var certificates = cms.GetCertificates().EnumerateMatches(null).ToList();
        var signers = new List<SmimeSignerResult>();
        var harvested = new List<SmimeRecipient>();
        foreach (var signer in cms.GetSignerInfos().GetSigners())
        {
            var certificate = certificates.FirstOrDefault(c => signer.SignerID.Match(c));
            if (certificate is null)
            {
                return new SmimeVerifyResult(SmimeVerifyStatus.Untrusted, form, path, content, signers, harvested, "signer certificate not included");
            }
            var signingTime = SigningTime(signer);
            bool signatureValid;
            try
            {
                // VerifySignature checks only the mathematics; the certificate's validity is judged by the chain
                // below at our own clock, not at a time the signer claims.
                signatureValid = signer.Verify(certificate.GetPublicKey());
            }
            catch (CmsException)
            {
                signatureValid = false;
            }
            var (chain, chainDetail, chainPath) = SignerCertificateChecks.Chain(certificate, certificates, _trust, now);
            var revocation = new RevocationResult(RevocationStatus.NotChecked);
            if (_revocation is not null && chain == SmimeChainStatus.Trusted)
            {
                // Only a chain that reached an anchor is worth a CRL fetch: an untrusted one fails anyway, and
                // fetching for it would let any sender make us contact URLs of their choosing.
                revocation = await _revocation.CheckAsync(chainPath, cancellationToken).ConfigureAwait(false);
                (chain, chainDetail) = revocation.Status switch
                {
                    RevocationStatus.Revoked => (SmimeChainStatus.Revoked, revocation.Detail),
                    RevocationStatus.Unknown when _revocation.Options.RequireRevocationCheck => (SmimeChainStatus.RevocationUnknown, revocation.Detail),
                    _ => (chain, chainDetail),
                };
            }
            var timeValid = signingTime is not { } claimed
                || (claimed <= now + _trust.ClockSkew && certificate.IsValid(claimed.UtcDateTime));
            var result = new SmimeSignerResult(certificate, signatureValid, chain, chainDetail,
                SignerCertificateChecks.EmailProtection(certificate), SignerCertificateChecks.NamesAddress(certificate, from),
                signingTime, timeValid, SmimeCapabilitiesAttribute.Read(signer), revocation.Status, revocation.Detail);
            signers.Add(result);
            if (result.SignatureValid && result.ChainStatus == SmimeChainStatus.Trusted && result.EmailProtection)
            {
                harvested.Add(new SmimeRecipient(certificate, result.Capabilities));
            }
        }
        var status = signers.Count == 0 ? SmimeVerifyStatus.NotSigned
            : signers.Any(s => !s.SignatureValid) ? SmimeVerifyStatus.BadSignature
            : signers.All(s => s.IsValid) ? SmimeVerifyStatus.Valid
            : SmimeVerifyStatus.Untrusted;
        return new SmimeVerifyResult(status, form, path, content, signers, harvested);
    }

    private static DateTimeOffset? SigningTime(SignerInformation signer)
    {
        var attribute = signer.SignedAttributes?[CmsAttributes.SigningTime];
        if (attribute is null || attribute.AttrValues.Count == 0)
        {
            return null;
        }
        return new DateTimeOffset(Time.GetInstance(attribute.AttrValues[0]).ToDateTime(), TimeSpan.Zero);
    }
}
