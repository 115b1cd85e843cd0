using System.Globalization;
using System.Text;
using Gateway.Authentication.Dkim;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace Gateway.Authentication.Arc;

/// <summary>
/// Adds our ARC set (RFC 8617 5.1) after our checks, so internal servers can trust what we saw:
/// ARC-Authentication-Results (our authserv-id and results), ARC-Message-Signature and ARC-Seal for instance N+1,
/// cv= from the chain validation. Works on the raw bytes (nothing is re-encoded) and returns header text to
/// prepend; signing is done here rather than with MimeKit's ArcSigner because a cv=fail seal must cover only its
/// own set (RFC 8617 5.1.2), which ArcSigner does not do.
/// </summary>
public sealed class ArcSealingService
{
    // RFC 8617 4.2.1: i= runs from 1 to 50.
    private const int MaxInstances = 50;

    private readonly TimeProvider _time;
    private readonly DkimSigningOptions _options;
    private readonly ILogger _logger;

    public ArcSealingService(TimeProvider time, DkimSigningOptions? options = null, ILogger<ArcSealingService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _options = options ?? DkimSigningOptions.Default;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Seals the raw message. <paramref name="incoming"/> is our validation of the chain on these bytes;
    /// <paramref name="authenticationResults"/> is the result part of our Authentication-Results
    /// ("spf=pass smtp.mailfrom=a.example; dkim=pass header.d=a.example; arc=pass"), without the authserv-id.
    /// No set is added when the chain already ended in cv=fail or is at the 50-set limit (the result says why).
    /// </summary>
    public ArcSealResult Seal(ReadOnlySpan<byte> message, ArcChainResult incoming, string authServId, string authenticationResults, DkimSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(key);
        CheckHeaderText(authServId, nameof(authServId), allowSpaces: false);
        CheckHeaderText(authenticationResults, nameof(authenticationResults), allowSpaces: true);

        var parsed = RawMessage.Parse(message);
        return Seal(parsed, message, DkimCanonicalization.RelaxedBodyHash(message[parsed.BodyStart..]), incoming, authServId, authenticationResults, key);
    }

    /// <summary>
    /// As <see cref="Seal(ReadOnlySpan{byte}, ArcChainResult, string, string, DkimSigningKey)"/>, for a message given as
    /// its header section and a stream positioned at the start of its body, hashed in bounded pieces.
    /// </summary>
    public async Task<ArcSealResult> SealAsync(
        ReadOnlyMemory<byte> headerSection, Stream body, ArcChainResult incoming, string authServId, string authenticationResults, DkimSigningKey key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(key);
        CheckHeaderText(authServId, nameof(authServId), allowSpaces: false);
        CheckHeaderText(authenticationResults, nameof(authenticationResults), allowSpaces: true);
        var bodyHash = await RelaxedBodyHasher.HashAsync(body, ct).ConfigureAwait(false);
        return Seal(RawMessage.Parse(headerSection.Span), headerSection.Span, bodyHash, incoming, authServId, authenticationResults, key);
    }

    private ArcSealResult Seal(
        RawMessage parsed, ReadOnlySpan<byte> message, byte[] bodyHash, ArcChainResult incoming, string authServId, string authenticationResults, DkimSigningKey key)
    {
        var sets = ExistingSets(parsed, message, out var malformed);
        var existing = sets.Count == 0 ? 0 : sets.Keys.Max();
        if (existing >= MaxInstances)
        {
            return NotSealed(existing, "the chain is at the 50-set limit");
        }

        string cv;
        if (existing == 0 && !malformed)
        {
            cv = "none";
        }
        else if (sets.TryGetValue(existing, out var newest) && newest.SealCv == "fail")
        {
            // RFC 8617 5.2 step 2: the chain already failed; a further set could not make it pass.
            return NotSealed(existing, "the chain already ended with cv=fail");
        }
        else
        {
            var complete = !malformed && sets.Count == existing && sets.Values.All(s => s.IsComplete);
            cv = incoming.Result == ArcResult.Pass && incoming.Instances == existing && complete ? "pass" : "fail";
        }

        var instance = existing + 1;
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var results = authenticationResults.Trim();
        var aar = "i=" + instance.ToString(CultureInfo.InvariantCulture) + "; " + authServId + ";" + (results.Length == 0 ? " none" : "\r\n\t" + results);

        // ARC-Message-Signature: like a DKIM signature (RFC 8617 4.1.2), over the message as it is now.
        var amsValue = new StringBuilder(256);
        amsValue.Append("i=").Append(instance.ToString(CultureInfo.InvariantCulture)).Append("; a=").Append(key.AlgorithmName)
            .Append("; c=relaxed/relaxed;\r\n\td=").Append(key.Domain).Append("; s=").Append(key.Selector)
            .Append("; t=").Append(timestamp).Append(";\r\n\t");
        var names = DkimSigningService.SignedNames(parsed, _options);
        DkimHeaderHasher.AppendHeaderList(amsValue, names);
        amsValue.Append(";\r\n\tbh=")
            .Append(Convert.ToBase64String(bodyHash))
            .Append(";\r\n\tb=");
        string ams;
        using (var hasher = new DkimHeaderHasher())
        {
            foreach (var field in DkimSigningService.Select(parsed, names))
            {
                if (field is { } present)
                {
                    hasher.AddField(present, message);
                }
            }

            ams = hasher.Sign("ARC-Message-Signature", amsValue.ToString(), key);
        }

        // ARC-Seal (RFC 8617 5.1.1): every set in instance order, AAR, AMS, AS each, then ours with an empty b=;
        // for cv=fail only our own set (RFC 8617 5.1.2).
        var sealValue = "i=" + instance.ToString(CultureInfo.InvariantCulture) + "; a=" + key.AlgorithmName + "; cv=" + cv
            + "; d=" + key.Domain + "; s=" + key.Selector + ";\r\n\tt=" + timestamp + "; b=";
        string seal;
        using (var hasher = new DkimHeaderHasher())
        {
            if (cv != "fail")
            {
                for (var i = 1; i <= existing; i++)
                {
                    var set = sets[i];
                    hasher.AddField(set.Results!.Value, message);
                    hasher.AddField(set.Signature!.Value, message);
                    hasher.AddField(set.Seal!.Value, message);
                }
            }

            hasher.AddField("ARC-Authentication-Results", aar);
            hasher.AddField("ARC-Message-Signature", ams);
            seal = hasher.Sign("ARC-Seal", sealValue, key);
        }

        ArcLog.Sealed(_logger, instance, cv, key.Domain, key.Selector);
        var headers = "ARC-Seal: " + seal + "\r\nARC-Message-Signature: " + ams + "\r\nARC-Authentication-Results: " + aar + "\r\n";
        return new ArcSealResult(headers, instance, ParseCv(cv), null);
    }

    /// <summary>Seals a parsed, unmodified message, written back out byte for byte with CRLF line ends.</summary>
    public ArcSealResult Seal(MimeMessage message, ArcChainResult incoming, string authServId, string authenticationResults, DkimSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Seal(DkimSigningService.WriteRaw(message), incoming, authServId, authenticationResults, key);
    }

    private ArcSealResult NotSealed(int existing, string reason)
    {
        ArcLog.NotSealed(_logger, reason);
        return new ArcSealResult(null, existing, ArcResult.Fail, reason);
    }

    private static ArcResult ParseCv(string cv) => cv switch
    {
        "pass" => ArcResult.Pass,
        "none" => ArcResult.None,
        _ => ArcResult.Fail,
    };

    private static void CheckHeaderText(string value, string name, bool allowSpaces)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        foreach (var c in value)
        {
            // Header injection guard: the text goes verbatim into a header field (RFC 5322 2.2: no CR, LF).
            if (c is '\r' or '\n' || c < ' ' && c != '\t' || c == 0x7F || !allowSpaces && (c is ' ' or '\t' or ';'))
            {
                throw new ArgumentException("Not usable in a header field.", name);
            }
        }

        if (!allowSpaces && value.Length == 0)
        {
            throw new ArgumentException("Must not be empty.", name);
        }
    }

    /// <summary>The existing ARC sets by instance. Fields without a usable i= or duplicated ones make the chain malformed.</summary>
    private static Dictionary<int, ExistingSet> ExistingSets(RawMessage parsed, ReadOnlySpan<byte> message, out bool malformed)
    {
        malformed = false;
        var sets = new Dictionary<int, ExistingSet>();
        foreach (var field in parsed.Fields)
        {
            var kind = field.Name.ToLowerInvariant() switch
            {
                "arc-authentication-results" => 0,
                "arc-message-signature" => 1,
                "arc-seal" => 2,
                _ => -1,
            };
            if (kind < 0)
            {
                continue;
            }

            var value = Encoding.UTF8.GetString(message[field.ValueStart..field.End]);
            int instance;
            string? cv = null;
            if (kind == 0)
            {
                instance = ReadAarInstance(value);
            }
            else if (DkimTagList.TryParse(value, DkimVerifyOptions.Default.MaxTags, out var tags, out _)
                && int.TryParse(tags!.Get("i"), NumberStyles.None, CultureInfo.InvariantCulture, out instance))
            {
                cv = tags.Get("cv");
            }
            else
            {
                instance = 0;
            }

            if (instance is < 1 or > MaxInstances)
            {
                malformed = true;
                continue;
            }

            sets.TryGetValue(instance, out var set);
            if (!set.TryAdd(kind, field, cv, out set))
            {
                malformed = true;
            }

            sets[instance] = set;
        }

        return sets;
    }

    /// <summary>RFC 8617 4.1.1: AAR = "i=" instance ";" authserv-id ...</summary>
    private static int ReadAarInstance(string value)
    {
        var text = value.AsSpan().TrimStart(" \t\r\n");
        if (!text.StartsWith("i", StringComparison.Ordinal))
        {
            return 0;
        }

        text = text[1..].TrimStart(" \t\r\n");
        if (!text.StartsWith("=", StringComparison.Ordinal))
        {
            return 0;
        }

        text = text[1..].TrimStart(" \t\r\n");
        var end = text.IndexOf(';');
        return end > 0 && int.TryParse(text[..end].TrimEnd(" \t\r\n"), NumberStyles.None, CultureInfo.InvariantCulture, out var instance) ? instance : 0;
    }

    private readonly record struct ExistingSet(RawHeaderField? Results, RawHeaderField? Signature, RawHeaderField? Seal, string? SealCv)
    {
        public bool IsComplete => Results is not null && Signature is not null && Seal is not null;

        public bool TryAdd(int kind, RawHeaderField field, string? cv, out ExistingSet updated)
        {
            updated = this;
            switch (kind)
            {
                case 0 when Results is null:
                    updated = this with { Results = field };
                    return true;
                case 1 when Signature is null:
                    updated = this with { Signature = field };
                    return true;
                case 2 when Seal is null:
                    updated = this with { Seal = field, SealCv = cv };
                    return true;
                default:
                    return false;
            }
        }
    }
}
