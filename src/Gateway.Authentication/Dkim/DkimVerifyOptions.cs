namespace Gateway.Authentication.Dkim;

/// <summary>Limits and local rules for DKIM (and ARC) verification. Defaults follow RFC 6376 and RFC 8301.</summary>
public sealed record DkimVerifyOptions
{
    /// <summary>
    /// Signatures verified per message; the ones after are reported as policy ("too many signatures"). Each one
    /// costs a DNS query and a public-key operation, so an attacker must not choose how many we do.
    /// </summary>
    public int MaxSignatures { get; init; } = 10;

    /// <summary>RFC 8301 3.2: RSA keys under 1024 bits never pass.</summary>
    public int MinimumRsaKeyBits { get; init; } = 1024;

    /// <summary>
    /// Larger RSA keys are refused (policy): RFC 8301 3.2 only asks verifiers to handle up to 4096 bits, and a huge
    /// modulus is a cheap way to make us burn CPU.
    /// </summary>
    public int MaximumRsaKeyBits { get; init; } = 8192;

    /// <summary>Tolerated clock difference for x= (expiry) and t= (timestamp in the future): RFC 6376 3.5.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Tags accepted in one tag-list before it is refused as malformed.</summary>
    public int MaxTags { get; init; } = 64;

    /// <summary>Header field names accepted in h=; a longer list is refused (permerror) before any hashing.</summary>
    public int MaxSignedHeaders { get; init; } = 128;

    /// <summary>
    /// Whether a signature whose body length limit (l=) leaves part of the body unsigned may pass. RFC 6376 8.2:
    /// anything can be appended after the signed part, a whole new message for a reader, and the signature still
    /// verifies. By default such a signature is reported as policy, so DMARC does not count it; a signature whose
    /// l= covers the whole body passes as usual.
    /// </summary>
    public bool AllowUnsignedContent { get; init; }

    public static DkimVerifyOptions Default { get; } = new();
}
