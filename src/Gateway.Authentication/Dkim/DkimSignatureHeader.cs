using System.Globalization;
using Gateway.Syntax;

namespace Gateway.Authentication.Dkim;

/// <summary>
/// A DKIM-Signature header field value checked against RFC 6376 3.5 and 6.1.1 before any DNS query or hashing.
/// MimeKit checks some of this too, but only as exceptions without a usable reason; doing it here gives each
/// signature a precise result and keeps MimeKit to the cryptography.
/// </summary>
internal sealed class DkimSignatureHeader
{
    // RFC 8601 / OpenDKIM practice: enough of b= to tell signatures apart in header.b (RFC 6008 asks for at least 8).
    private const int HeaderBLength = 12;

    // RFC 6376 3.5: t= and x= are at most 12 digits; l= at most 76 (we cap at what a long holds).
    private const int MaxTimestampDigits = 12;
    private const int MaxLengthDigits = 18;

    private DkimSignatureHeader()
    {
    }

    public string Algorithm { get; private set; } = string.Empty;

    public DkimKeyType KeyType { get; private set; }

    public bool IsSha1 { get; private set; }

    public string Domain { get; private set; } = string.Empty;

    public string Selector { get; private set; } = string.Empty;

    public string? Identity { get; private set; }

    public string? HeaderB { get; private set; }

    public long? BodyLength { get; private set; }

    /// <summary>c= body part is "relaxed" (the default is simple: RFC 6376 3.5).</summary>
    public bool RelaxedBody { get; private set; }

    /// <summary>c= header part is "relaxed" (RFC 6376 3.4.2).</summary>
    public bool RelaxedHeader { get; private set; }

    /// <summary>The h= list as given (RFC 6376 3.5), names in order.</summary>
    public IReadOnlyList<string> SignedHeaders { get; private set; } = [];

    /// <summary>The decoded b= value; empty when it is not valid base64.</summary>
    public byte[] Signature { get; private set; } = [];

    /// <summary>bh= without folding whitespace.</summary>
    public string BodyHash { get; private set; } = string.Empty;

    public long? Timestamp { get; private set; }

    public long? Expiration { get; private set; }

    /// <summary>The result to report when parsing failed; null for a usable signature.</summary>
    public DkimResult? Failure { get; private set; }

    public string? FailureReason { get; private set; }

    public DkimSignatureResult ToResult(DkimResult result, string? reason) =>
        new(result, Domain, Selector, Algorithm, reason, HeaderB, Identity) { BodyLength = BodyLength };

    public static DkimSignatureHeader Parse(string value, DkimVerifyOptions options)
    {
        var header = new DkimSignatureHeader();
        if (!DkimTagList.TryParse(value, options.MaxTags, out var tags, out var error))
        {
            return header.Fail(DkimResult.PermError, "signature syntax error: " + error);
        }

        // Fill in what the A-R header needs first, so even a broken signature is reported with its d= and s=.
        header.Domain = tags!.Get("d")?.ToLowerInvariant() ?? string.Empty;
        header.Selector = tags.Get("s") ?? string.Empty;
        header.Algorithm = tags.Get("a") ?? string.Empty;
        header.Identity = tags.Get("i");
        var b = tags.Get("b") is { } rawB ? DkimTagList.StripWhitespace(rawB) : null;
        if (b is not null)
        {
            header.HeaderB = b.Length <= HeaderBLength ? b : b[..HeaderBLength];
        }

        // RFC 6376 6.1.1: v=, a=, b=, bh=, d=, h=, s= are required; a missing one is PERMFAIL.
        foreach (var required in RequiredTags)
        {
            if (!tags.Contains(required))
            {
                return header.Fail(DkimResult.PermError, $"missing required tag {required}=");
            }
        }

        if (tags.Get("v") != "1")
        {
            return header.Fail(DkimResult.PermError, "incompatible version");
        }

        if (TryDecodeBase64(b!) is not { Length: > 0 } signatureBytes)
        {
            return header.Fail(DkimResult.PermError, "signature syntax error: b= is not base64");
        }

        header.Signature = signatureBytes;

        var bodyHash = DkimTagList.StripWhitespace(tags.Get("bh")!);
        if (TryDecodeBase64(bodyHash) is not { Length: > 0 })
        {
            return header.Fail(DkimResult.PermError, "signature syntax error: bh= is not base64");
        }

        if (!DkimNames.AreValid(header.Domain, header.Selector))
        {
            return header.Fail(DkimResult.PermError, "signature syntax error: invalid d= or s=");
        }

        switch (header.Algorithm.ToLowerInvariant())
        {
            case "rsa-sha256":
                header.KeyType = DkimKeyType.Rsa;
                break;
            case "ed25519-sha256":
                header.KeyType = DkimKeyType.Ed25519;
                break;
            case "rsa-sha1":
                header.KeyType = DkimKeyType.Rsa;
                header.IsSha1 = true;
                break;
            default:
                // RFC 8601 2.7.1: a signature we cannot process is neutral.
                return header.Fail(DkimResult.Neutral, "unsupported algorithm");
        }

        if (tags.TryGet("c", out var c))
        {
            if (!IsValidCanonicalization(c, out var relaxedBody))
            {
                return header.Fail(DkimResult.Neutral, "unsupported canonicalization");
            }

            header.RelaxedBody = relaxedBody;
            header.RelaxedHeader = c.StartsWith("relaxed", StringComparison.Ordinal);
        }

        header.BodyHash = bodyHash;

        if (tags.TryGet("q", out var q) && !DnsDkimPublicKeyLocator.AllowsDnsTxt(q))
        {
            return header.Fail(DkimResult.Neutral, "unsupported query method");
        }

        var signed = DkimTagList.StripWhitespace(tags.Get("h")!).Split(':');
        if (signed.Length > options.MaxSignedHeaders)
        {
            return header.Fail(DkimResult.PermError, "too many signed header fields");
        }

        header.SignedHeaders = signed;
        var fromSigned = false;
        foreach (var name in signed)
        {
            if (name.Length == 0)
            {
                return header.Fail(DkimResult.PermError, "signature syntax error: empty name in h=");
            }

            fromSigned |= string.Equals(name, "from", StringComparison.OrdinalIgnoreCase);
        }

        // RFC 6376 6.1.1: a signature that does not cover From is PERMFAIL (From field not signed).
        if (!fromSigned)
        {
            return header.Fail(DkimResult.PermError, "From field not signed");
        }

        if (header.Identity is { } identity)
        {
            // RFC 6376 6.1.1: the i= domain must be d= or a subdomain of it (domain mismatch).
            if (!AddrSpec.TrySplit(identity, out _, out var identityDomain) || !DomainName.IsSameOrSubdomain(identityDomain, header.Domain))
            {
                return header.Fail(DkimResult.PermError, "domain mismatch (i= is not d= or a subdomain)");
            }
        }

        if (!TryNumber(tags, "t", MaxTimestampDigits, out var t) || !TryNumber(tags, "x", MaxTimestampDigits, out var x)
            || !TryNumber(tags, "l", MaxLengthDigits, out var l))
        {
            return header.Fail(DkimResult.PermError, "signature syntax error: bad t=, x= or l=");
        }

        header.Timestamp = t;
        header.Expiration = x;
        header.BodyLength = l;

        // RFC 6376 3.5: x= MUST be greater than t= when both are present.
        if (t is { } ts && x is { } xs && xs <= ts)
        {
            return header.Fail(DkimResult.PermError, "signature syntax error: x= is not after t=");
        }

        return header;
    }

    private static readonly string[] RequiredTags = ["v", "a", "b", "bh", "d", "h", "s"];

    private DkimSignatureHeader Fail(DkimResult result, string reason)
    {
        Failure = result;
        FailureReason = reason;
        return this;
    }

    private static bool IsValidCanonicalization(string value, out bool relaxedBody)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var headerPart = slash < 0 ? value : value[..slash];
        var bodyPart = slash < 0 ? "simple" : value[(slash + 1)..];
        relaxedBody = bodyPart == "relaxed";
        return headerPart is "simple" or "relaxed" && bodyPart is "simple" or "relaxed";
    }

    /// <summary>The bytes of base64 text without whitespace; null when it is not base64 (length a multiple of 4).</summary>
    private static byte[]? TryDecodeBase64(string stripped)
    {
        if (stripped.Length % 4 != 0)
        {
            return null;
        }

        var buffer = new byte[stripped.Length / 4 * 3];
        return Convert.TryFromBase64String(stripped, buffer, out var written)
            ? written == buffer.Length ? buffer : buffer[..written]
            : null;
    }

    private static bool TryNumber(DkimTagList tags, string name, int maxDigits, out long? number)
    {
        number = null;
        if (!tags.TryGet(name, out var text))
        {
            return true;
        }

        if (text.Length == 0 || text.Length > maxDigits)
        {
            return false;
        }

        foreach (var ch in text)
        {
            if (!char.IsAsciiDigit(ch))
            {
                return false;
            }
        }

        number = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }
}
