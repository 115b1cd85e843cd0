using System.Globalization;
using System.Text;
using Gateway.Abstractions;
using Gateway.Authentication.Dkim;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Gateway.Authentication.Arc;

/// <summary>
/// Validates the ARC chain of a parsed, unmodified message (RFC 8617 5.2) with MimeKit's <see cref="ArcVerifier"/>
/// and the DNS key locator of DKIM. Never throws for bad input or DNS outcomes; only cancellation escapes.
/// </summary>
public sealed class ArcVerifierService
{
    // RFC 8617 4.2.1: at most 50 ARC sets.
    private const int MaxInstances = 50;

    private readonly DnsDkimPublicKeyLocator _locator;
    private readonly DkimVerifyOptions _options;
    private readonly ILogger _logger;
    private readonly FormatOptions _format;

    public ArcVerifierService(IDnsResolver dns, DkimVerifyOptions options, ILogger<ArcVerifierService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _locator = new DnsDkimPublicKeyLocator(dns, options);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _format = FormatOptions.Default.Clone();
        _format.NewLineFormat = NewLineFormat.Dos;
    }

    /// <summary>
    /// Whether a header section holds any ARC field (ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results).
    /// Without one there is no chain (cv=none, RFC 8617 4.1.4 does not apply), and nothing needs parsing to say so.
    /// </summary>
    public static bool HasArcFields(ReadOnlySpan<byte> headerSection)
    {
        var position = 0;
        while (position < headerSection.Length)
        {
            var rest = headerSection[position..];
            var lf = rest.IndexOf((byte)'\n');
            var line = lf < 0 ? rest : rest[..lf];
            var colon = line.IndexOf((byte)':');
            if (colon > 4 && Ascii.EqualsIgnoreCase(line[..4], "ARC-"u8) && IsArcName(line[..colon].TrimEnd(" \t"u8)))
            {
                return true;
            }

            if (lf < 0)
            {
                break;
            }

            position += lf + 1;
        }

        return false;
    }

    private static bool IsArcName(ReadOnlySpan<byte> name) =>
        Ascii.EqualsIgnoreCase(name, "ARC-Seal"u8)
        || Ascii.EqualsIgnoreCase(name, "ARC-Message-Signature"u8)
        || Ascii.EqualsIgnoreCase(name, "ARC-Authentication-Results"u8);

    public async Task<ArcChainResult> VerifyAsync(MimeMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArcChainResult result;
        try
        {
            var hops = ReadHops(message, out var anyArcHeader, out var highest);
            if (!anyArcHeader)
            {
                return ArcChainResult.NoChain;
            }

            result = await ValidateAsync(message, hops, highest, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A chain we cannot process does not validate (RFC 8617 5.2); a defect must not drop the session.
            ArcLog.VerifierFault(_logger, ex);
            result = new ArcChainResult(ArcResult.Fail, 0, "chain could not be processed", []);
        }

        ArcLog.ChainResult(_logger, result.Instances, result.Result, result.Reason);
        return result;
    }

    private async Task<ArcChainResult> ValidateAsync(MimeMessage message, List<ArcHop> hops, int highest, CancellationToken ct)
    {
        if (highest > MaxInstances)
        {
            return new ArcChainResult(ArcResult.Fail, highest, "too many ARC sets", hops);
        }

        // RFC 8617 5.2 step 2: a chain whose newest seal already says cv=fail is failed, whatever else it holds.
        if (hops.Count > 0 && hops[^1].Instance == highest && string.Equals(hops[^1].ChainValidation, "fail", StringComparison.OrdinalIgnoreCase))
        {
            return new ArcChainResult(ArcResult.Fail, highest, "chain already failed (cv=fail)", hops);
        }

        var locator = new RecordingLocator(_locator);
        var verifier = new ArcVerifier(locator) { MinimumRsaKeyLength = _options.MinimumRsaKeyBits };
        ArcValidationResult validation;
        try
        {
            validation = await verifier.VerifyAsync(_format, message, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or CryptoException or InvalidOperationException or NotSupportedException or IOException)
        {
            ArcLog.VerifierFault(_logger, e);
            return new ArcChainResult(ArcResult.Fail, highest, "ARC header fields could not be processed", hops);
        }

        // MimeKit turns every exception during a signature check into a failed signature, cancellation included.
        ct.ThrowIfCancellationRequested();
        var instances = Math.Max(highest, validation.Seals?.Length ?? 0);
        switch (validation.Chain)
        {
            case ArcSignatureValidationResult.Pass:
                if (!_options.AllowUnsignedContent && UnsignedByLatestSignature(message, instances) is { } unsigned)
                {
                    // The newest AMS vouches only for the body up to its l=: what follows anyone may have added since,
                    // as the DKIM rule says for DKIM-Signature (authentication.dkim.allow_unsigned_content).
                    return new ArcChainResult(ArcResult.Fail, instances, unsigned, hops);
                }

                return new ArcChainResult(ArcResult.Pass, instances, null, hops) { LatestClaims = ReadClaims(message, instances) };
            case ArcSignatureValidationResult.None:
                // ARC header fields were present but none formed a set: a malformed chain (RFC 8617 5.2 step 1).
                return new ArcChainResult(ArcResult.Fail, instances, "malformed ARC header fields", hops);
            default:
                var temporary = locator.Failure?.Result == DkimResult.TempError;
                var reason = locator.Failure is { } failure
                    ? "key: " + failure.Message
                    : Describe(validation.ChainErrors);
                return new ArcChainResult(ArcResult.Fail, instances, reason, hops) { IsTemporary = temporary };
        }
    }

    /// <summary>
    /// Why the newest ARC-Message-Signature leaves part of the body unsigned ("AMS l=N leaves M octets ..."), or null
    /// when it has no l= or its l= covers the whole canonical body.
    /// </summary>
    private string? UnsignedByLatestSignature(MimeMessage message, int instance)
    {
        foreach (var field in message.Headers)
        {
            if (field.Id != HeaderId.ArcMessageSignature
                || !DkimTagList.TryParse(DkimVerifierService.RawValue(field), _options.MaxTags, out var tags, out _)
                || tags!.Get("i") != instance.ToString(CultureInfo.InvariantCulture))
            {
                continue;
            }

            if (tags.Get("l") is not { } lengthText || !long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit))
            {
                return null;
            }

            var canonicalization = tags.Get("c") ?? "simple/simple";
            var slash = canonicalization.IndexOf('/', StringComparison.Ordinal);
            var relaxed = slash >= 0 && canonicalization[(slash + 1)..].Trim().Equals("relaxed", StringComparison.OrdinalIgnoreCase);

            // The body as MimeKit hashed it for the verification (CRLF line ends).
            using var stream = new MemoryStream();
            message.WriteTo(_format, stream);
            var written = stream.GetBuffer().AsSpan(0, (int)stream.Length);
            var body = written[Math.Min(RawMessage.Parse(written).BodyStart, written.Length)..];
            var unsigned = DkimCanonicalization.CanonicalBodyLength(body, relaxed) - limit;
            return unsigned > 0 ? $"ARC-Message-Signature l={limit} leaves {unsigned} octets of the body unsigned" : null;
        }

        return null;
    }

    private static string Describe(ArcValidationErrors errors)
    {
        if ((errors & (ArcValidationErrors.InvalidArcSealChainValidationValue | ArcValidationErrors.MissingArcSealChainValidationValue)) != 0)
        {
            return "invalid cv= in chain";
        }

        if ((errors & (ArcValidationErrors.MissingArcAuthenticationResults | ArcValidationErrors.MissingArcMessageSignature | ArcValidationErrors.MissingArcSeal)) != 0)
        {
            return "incomplete ARC set";
        }

        if ((errors & (ArcValidationErrors.DuplicateArcAuthenticationResults | ArcValidationErrors.DuplicateArcMessageSignature | ArcValidationErrors.DuplicateArcSeal)) != 0)
        {
            return "duplicate ARC header fields";
        }

        if ((errors & (ArcValidationErrors.InvalidArcAuthenticationResults | ArcValidationErrors.InvalidArcMessageSignature | ArcValidationErrors.InvalidArcSeal)) != 0)
        {
            return "malformed ARC header fields";
        }

        if ((errors & ArcValidationErrors.MessageSignatureValidationFailed) != 0)
        {
            return "ARC-Message-Signature did not verify";
        }

        return (errors & ArcValidationErrors.SealValidationFailed) != 0 ? "ARC-Seal did not verify" : "chain did not validate";
    }

    /// <summary>The sets' sealers from the ARC-Seal and ARC-Message-Signature fields, oldest first.</summary>
    internal List<ArcHop> ReadHops(MimeMessage message, out bool anyArcHeader, out int highest)
    {
        anyArcHeader = false;
        highest = 0;
        var seals = new SortedDictionary<int, ArcHop>();
        var signatureDomains = new Dictionary<int, string>();
        foreach (var field in message.Headers)
        {
            if (field.Id is not (HeaderId.ArcSeal or HeaderId.ArcMessageSignature or HeaderId.ArcAuthenticationResults))
            {
                continue;
            }

            anyArcHeader = true;
            if (field.Id == HeaderId.ArcAuthenticationResults)
            {
                continue;
            }

            if (!DkimTagList.TryParse(DkimVerifierService.RawValue(field), _options.MaxTags, out var tags, out _)
                || !int.TryParse(tags!.Get("i"), NumberStyles.None, CultureInfo.InvariantCulture, out var instance)
                || instance < 1)
            {
                continue;
            }

            highest = Math.Max(highest, instance);
            var domain = tags.Get("d")?.ToLowerInvariant() ?? string.Empty;
            if (field.Id == HeaderId.ArcSeal)
            {
                seals.TryAdd(instance, new ArcHop(instance, domain, tags.Get("s") ?? string.Empty) { ChainValidation = tags.Get("cv") });
            }
            else
            {
                signatureDomains.TryAdd(instance, domain);
            }
        }

        var hops = new List<ArcHop>(seals.Count);
        foreach (var (instance, hop) in seals)
        {
            hops.Add(signatureDomains.TryGetValue(instance, out var amsDomain) ? hop with { MessageSignatureDomain = amsDomain } : hop);
        }

        return hops;
    }

    private static ArcAuthenticationClaims? ReadClaims(MimeMessage message, int instance)
    {
        foreach (var field in message.Headers)
        {
            if (field.Id != HeaderId.ArcAuthenticationResults
                || !AuthenticationResults.TryParse(field.RawValue, out var parsed)
                || parsed.Instance != instance)
            {
                continue;
            }

            var claims = new List<ArcClaim>(parsed.Results.Count);
            foreach (var method in parsed.Results)
            {
                var properties = new List<KeyValuePair<string, string>>(method.Properties.Count);
                foreach (var property in method.Properties)
                {
                    properties.Add(new(property.PropertyType + "." + property.Property, property.Value));
                }

                claims.Add(new ArcClaim(method.Method, method.Result ?? string.Empty, properties));
            }

            return new ArcAuthenticationClaims(instance, parsed.AuthenticationServiceIdentifier ?? string.Empty, claims);
        }

        return null;
    }

    /// <summary>Remembers the first key failure, which MimeKit swallows, so the result can say why and whether
    /// it was DNS.</summary>
    private sealed class RecordingLocator(DnsDkimPublicKeyLocator inner) : IDkimPublicKeyLocator
    {
        public DkimKeyLookupException? Failure { get; private set; }

        public AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            LocatePublicKeyAsync(methods, domain, selector, cancellationToken).GetAwaiter().GetResult();

        public async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.LocatePublicKeyAsync(methods, domain, selector, cancellationToken).ConfigureAwait(false);
            }
            catch (DkimKeyLookupException e)
            {
                Failure ??= e;
                throw;
            }
        }
    }
}
