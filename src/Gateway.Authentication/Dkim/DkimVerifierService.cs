using System.Security.Cryptography;
using System.Text;
using Gateway.Abstractions;
using Gateway.Syntax;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Authentication.Dkim;

/// <summary>
/// Verifies every DKIM-Signature of a parsed message (RFC 6376 6): our own checks of the tags and the key record
/// (RFC 6376 3.5/3.6.1, RFC 8301, RFC 8463), then MimeKit's <see cref="DkimVerifier"/> for the hashes and the
/// signature. Never throws for bad input or DNS outcomes; only <see cref="OperationCanceledException"/> escapes.
/// </summary>
/// <remarks>
/// The message must be the one parsed from the received bytes and left unmodified: MimeKit hashes what it writes
/// back, which is the original for an untouched parse.
/// </remarks>
public sealed class DkimVerifierService
{
    private const string DkimSignatureName = "DKIM-Signature";

    private readonly DnsDkimPublicKeyLocator _locator;
    private readonly DkimVerifyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FormatOptions _format;

    public DkimVerifierService(IDnsResolver dns, DkimVerifyOptions options, TimeProvider time, ILogger<DkimVerifierService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _locator = new DnsDkimPublicKeyLocator(dns, options);

        // DKIM hashes CRLF line ends (RFC 6376 3.4), whatever the platform's newline is.
        _format = FormatOptions.Default.Clone();
        _format.NewLineFormat = NewLineFormat.Dos;
    }

    /// <summary>
    /// One result per DKIM-Signature header field, top to bottom. An unsigned message gives an empty list (the
    /// Authentication-Results writer reports that as dkim=none). Signatures after
    /// <see cref="DkimVerifyOptions.MaxSignatures"/> are reported as policy without being checked.
    /// </summary>
    public Task<IReadOnlyList<DkimSignatureResult>> VerifyAsync(MimeMessage message, CancellationToken ct) =>
        VerifyAsync(message, ReadOnlyMemory<byte>.Empty, ct);

    /// <summary>
    /// As <see cref="VerifyAsync(MimeMessage, CancellationToken)"/>, with the message's raw bytes at hand (the same
    /// message, header section and body), which lets rsa-sha256 signatures with relaxed header canonicalization and
    /// no l= be checked over the exact bytes with the platform's RSA, several times faster than through MimeKit's
    /// canonicalization and BouncyCastle's RSA.
    /// </summary>
    public Task<IReadOnlyList<DkimSignatureResult>> VerifyAsync(MimeMessage message, ReadOnlyMemory<byte> rawMessage, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (rawMessage.IsEmpty)
        {
            return VerifyParsedAsync(message, ct);
        }

        return VerifyAsync(rawMessage, _ => Task.FromResult(message), ct);
    }

    /// <summary>
    /// Verifies the signatures of a message given as its raw bytes. The signatures the fast path covers (see
    /// <see cref="VerifyAsync(MimeMessage, ReadOnlyMemory{byte}, CancellationToken)"/>) need nothing else; the parsed
    /// message is asked of <paramref name="parse"/> (which should keep the one it makes) only for the others, so
    /// the common message is never parsed into MIME at all.
    /// </summary>
    public async Task<IReadOnlyList<DkimSignatureResult>> VerifyAsync(
        ReadOnlyMemory<byte> rawMessage, Func<CancellationToken, Task<MimeMessage>> parse, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var raw = RawMessage.Parse(rawMessage.Span);
        List<DkimSignatureResult>? results = null;
        var index = -1;
        foreach (var field in raw.Fields)
        {
            if (!string.Equals(field.Name, DkimSignatureName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            index++;
            results ??= [];
            var signature = DkimSignatureHeader.Parse(Encoding.UTF8.GetString(rawMessage.Span[field.ValueStart..field.End]), _options);
            var occurrence = index;
            results.Add(await CheckAsync(
                signature,
                results.Count,
                (rawMessage, raw, field),
                async token => ParsedField(await parse(token).ConfigureAwait(false), occurrence),
                ct).ConfigureAwait(false));
        }

        return results ?? (IReadOnlyList<DkimSignatureResult>)[];
    }

    private async Task<IReadOnlyList<DkimSignatureResult>> VerifyParsedAsync(MimeMessage message, CancellationToken ct)
    {
        List<DkimSignatureResult>? results = null;
        foreach (var field in message.Headers)
        {
            if (field.Id != HeaderId.DkimSignature)
            {
                continue;
            }

            results ??= [];
            var signature = DkimSignatureHeader.Parse(RawValue(field), _options);
            results.Add(await CheckAsync(signature, results.Count, null, _ => Task.FromResult<(MimeMessage, Header)?>((message, field)), ct).ConfigureAwait(false));
        }

        return results ?? (IReadOnlyList<DkimSignatureResult>)[];
    }

    /// <summary>One signature, never throwing but for cancellation; <paramref name="checkedBefore"/> counts those above it.</summary>
    private async Task<DkimSignatureResult> CheckAsync(
        DkimSignatureHeader signature,
        int checkedBefore,
        (ReadOnlyMemory<byte> Bytes, RawMessage Parsed, RawHeaderField Field)? raw,
        Func<CancellationToken, Task<(MimeMessage Message, Header Field)?>> parsed,
        CancellationToken ct)
    {
        DkimSignatureResult result;
        if (checkedBefore >= _options.MaxSignatures)
        {
            result = signature.ToResult(DkimResult.Policy, "too many signatures");
        }
        else
        {
            try
            {
                result = await VerifyOneAsync(signature, raw, parsed, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The named exceptions are handled inside; anything else is a defect that must not drop the
                // session: the signature could not be processed.
                DkimLog.VerifierFault(_logger, signature.Domain, signature.Selector, ex);
                result = signature.ToResult(DkimResult.PermError, "signature could not be processed");
            }
        }

        DkimLog.SignatureResult(_logger, result.Domain, result.Selector, result.Result, result.Reason);
        return result;
    }

    /// <summary>The <paramref name="occurrence"/>-th DKIM-Signature field of the parsed message, if MimeKit saw as many.</summary>
    private static (MimeMessage Message, Header Field)? ParsedField(MimeMessage message, int occurrence)
    {
        foreach (var field in message.Headers)
        {
            if (field.Id == HeaderId.DkimSignature && occurrence-- == 0)
            {
                return (message, field);
            }
        }

        return null;
    }

    private async Task<DkimSignatureResult> VerifyOneAsync(
        DkimSignatureHeader signature,
        (ReadOnlyMemory<byte> Bytes, RawMessage Parsed, RawHeaderField Field)? raw,
        Func<CancellationToken, Task<(MimeMessage Message, Header Field)?>> parsed,
        CancellationToken ct)
    {
        if (signature.Failure is { } failure)
        {
            return signature.ToResult(failure, signature.FailureReason);
        }

        // RFC 8301 3.1: rsa-sha1 signatures MUST NOT be considered valid; no need to fetch the key.
        if (signature.IsSha1)
        {
            return signature.ToResult(DkimResult.Policy, "rsa-sha1 is not accepted (RFC 8301)");
        }

        // RFC 6376 3.5 / 6.1.1: expired signatures and timestamps in the future are not trusted. The signature
        // itself may be sound, so this is local policy rather than fail.
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var skew = (long)_options.ClockSkew.TotalSeconds;
        if (signature.Expiration is { } x && x + skew < now)
        {
            return signature.ToResult(DkimResult.Policy, "signature expired");
        }

        if (signature.Timestamp is { } t && t - skew > now)
        {
            return signature.ToResult(DkimResult.Policy, "signature timestamp in the future");
        }

        var lookup = await _locator.LookupAsync(signature.Domain, signature.Selector, ct).ConfigureAwait(false);
        if (lookup.Key is not { } key)
        {
            return signature.ToResult(lookup.Failure, lookup.Reason);
        }

        if (KeyProblem(signature, key) is { } problem)
        {
            return signature.ToResult(problem.Result, problem.Reason);
        }

        // The common case (rsa-sha256, relaxed header canonicalization) is checked with the platform's RSA: the
        // body hash with MimeKit, the header signature by DkimRsaHeaderCheck. Everything else goes to MimeKit.
        if (raw is { } rawMessage && signature.KeyType == DkimKeyType.Rsa && signature.RelaxedHeader && signature.BodyLength is null
            && key.PublicKey is RsaKeyParameters)
        {
            try
            {
                var bytes = rawMessage.Bytes.Span;
                var body = bytes[Math.Min(rawMessage.Parsed.BodyStart, bytes.Length)..];
                var bodyHash = signature.RelaxedBody ? DkimCanonicalization.RelaxedBodyHash(body) : DkimCanonicalization.SimpleBodyHash(body);
                if (!string.Equals(Convert.ToBase64String(bodyHash), signature.BodyHash, StringComparison.Ordinal))
                {
                    return signature.ToResult(DkimResult.Fail, "body hash did not verify");
                }

                return DkimRsaHeaderCheck.Verify(bytes, rawMessage.Parsed, rawMessage.Field, signature, key)
                    ? signature.ToResult(DkimResult.Pass, PassNote(signature, key))
                    : signature.ToResult(DkimResult.Fail, "signature did not verify");
            }
            catch (Exception e) when (e is FormatException or ArgumentException or CryptographicException or InvalidOperationException or NotSupportedException or OverflowException)
            {
                DkimLog.VerifierFault(_logger, signature.Domain, signature.Selector, e);
                return signature.ToResult(DkimResult.PermError, "signature could not be processed");
            }
        }

        // Everything else is MimeKit's work, over the parsed message.
        if (await parsed(ct).ConfigureAwait(false) is not var (message, field))
        {
            return signature.ToResult(DkimResult.PermError, "signature could not be processed");
        }

        bool verified;
        var verifier = new ExplainingDkimVerifier(new FixedKeyLocator(key.PublicKey!))
        {
            MinimumRsaKeyLength = _options.MinimumRsaKeyBits,
        };
        try
        {
            verified = await verifier.VerifyAsync(_format, message, field, ct).ConfigureAwait(false);
            if (!verified)
            {
                var bodyOk = ExplainingDkimVerifier.BodyHashMatches(_format, message, ToMimeKit(signature), signature.RelaxedBody
                    ? DkimCanonicalizationAlgorithm.Relaxed
                    : DkimCanonicalizationAlgorithm.Simple, signature.BodyLength is { } l ? (int)Math.Min(l, int.MaxValue) : -1, signature.BodyHash);
                return signature.ToResult(DkimResult.Fail, bodyOk ? "signature did not verify" : "body hash did not verify");
            }
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or CryptoException or InvalidOperationException or NotSupportedException or IOException or OverflowException)
        {
            // MimeKit refuses what it cannot parse with exceptions; for us that is a malformed signature.
            DkimLog.VerifierFault(_logger, signature.Domain, signature.Selector, e);
            return signature.ToResult(DkimResult.PermError, "signature could not be processed");
        }

        if (signature.BodyLength is { } limit && !_options.AllowUnsignedContent
            && UnsignedOctets(signature, limit, raw, message) is > 0 and var unsigned)
        {
            return signature.ToResult(DkimResult.Policy, $"l={limit} leaves {unsigned} octets of the body unsigned");
        }

        return signature.ToResult(DkimResult.Pass, PassNote(signature, key));
    }

    /// <summary>Octets of the canonical body after the signature's l= limit: content anyone could have added.</summary>
    private long UnsignedOctets(
        DkimSignatureHeader signature, long limit, (ReadOnlyMemory<byte> Bytes, RawMessage Parsed, RawHeaderField Field)? raw, MimeMessage message)
    {
        if (raw is { } rawMessage)
        {
            var bytes = rawMessage.Bytes.Span;
            return DkimCanonicalization.CanonicalBodyLength(bytes[Math.Min(rawMessage.Parsed.BodyStart, bytes.Length)..], signature.RelaxedBody) - limit;
        }

        // Only the parsed message: its body as MimeKit writes it for verification (CRLF line ends).
        using var stream = new MemoryStream();
        message.WriteTo(_format, stream);
        var written = stream.GetBuffer().AsSpan(0, (int)stream.Length);
        var body = written[Math.Min(RawMessage.Parse(written).BodyStart, written.Length)..];
        return DkimCanonicalization.CanonicalBodyLength(body, signature.RelaxedBody) - limit;
    }

    private (DkimResult Result, string Reason)? KeyProblem(DkimSignatureHeader signature, DkimKeyRecord key)
    {
        // RFC 6376 6.1.2: the key type must match the signature algorithm, and h= (if any) allow its hash.
        if (key.KeyType != signature.KeyType)
        {
            return (DkimResult.PermError, "inappropriate key algorithm");
        }

        if (!key.AllowsHash("sha256"))
        {
            return (DkimResult.PermError, "inappropriate hash algorithm");
        }

        if (!key.AllowsEmail())
        {
            return (DkimResult.PermError, "key not for e-mail (s=)");
        }

        // RFC 6376 3.6.1 t=s: the i= domain must be exactly d=.
        if (key.IsStrict && signature.Identity is { } identity)
        {
            var domain = AddrSpec.DomainOf(identity);
            if (!string.Equals(domain, signature.Domain, StringComparison.OrdinalIgnoreCase))
            {
                return (DkimResult.PermError, "domain mismatch (key requires i= domain equal to d=)");
            }
        }

        // RFC 8301 3.2: RSA keys under 1024 bits MUST NOT be considered valid.
        if (key.KeyType == DkimKeyType.Rsa && key.KeyBits < _options.MinimumRsaKeyBits)
        {
            return (DkimResult.Policy, $"weak key ({key.KeyBits} bits)");
        }

        if (key.KeyType == DkimKeyType.Rsa && key.KeyBits > _options.MaximumRsaKeyBits)
        {
            return (DkimResult.Policy, $"key too large ({key.KeyBits} bits)");
        }

        return null;
    }

    private static string? PassNote(DkimSignatureHeader signature, DkimKeyRecord key)
    {
        var length = signature.BodyLength is { } l ? $"body length limit l={l}" : null;
        var testing = key.IsTesting ? "testing key (t=y)" : null;
        return (length, testing) switch
        {
            (null, null) => null,
            (not null, null) => length,
            (null, not null) => testing,
            _ => length + "; " + testing,
        };
    }

    private static DkimSignatureAlgorithm ToMimeKit(DkimSignatureHeader signature) =>
        signature.KeyType == DkimKeyType.Ed25519 ? DkimSignatureAlgorithm.Ed25519Sha256 : DkimSignatureAlgorithm.RsaSha256;

    /// <summary>The header value as received (folding kept, no RFC 2047 decoding), for our own tag parser.</summary>
    internal static string RawValue(Header field) => Encoding.UTF8.GetString(field.RawValue);
}
