namespace Gateway.Syntax;

/// <summary>
/// What a caller allows beyond the strict RFC 5321 4.1.2 Domain that <see cref="DomainName"/> checks by default
/// (ASCII letters, digits and inner hyphens, no trailing dot, a top-level label that is not all-numeric).
/// </summary>
[Flags]
public enum DomainNameOptions
{
    None = 0,

    /// <summary>
    /// U-labels are accepted and converted to A-labels (RFC 5890 2.3.2.1, RFC 6531 3.3 for SMTPUTF8 paths).
    /// Without it any non-ASCII character is <see cref="DomainNameError.NonAscii"/>.
    /// </summary>
    AllowUnicode = 1,

    /// <summary>
    /// One trailing root dot ("example.com.", the absolute DNS form of RFC 1034 3.1) is accepted and dropped.
    /// Without it the dot is an error: RFC 5321 4.1.2 Domain has none, and one destination has one spelling.
    /// </summary>
    AllowTrailingDot = 2,

    /// <summary>
    /// Labels may hold '_' for names that are DNS owner names rather than host names: RFC 8552 underscored
    /// labels ("_dmarc", "_domainkey") and the selectors and names DKIM and SPF meet in the wild. Hyphens are
    /// still not allowed at the start or end of a label.
    /// </summary>
    AllowUnderscore = 4,

    /// <summary>At least two labels (a fully qualified name; RFC 7208 4.3 for SPF, policy host names).</summary>
    RequireMultipleLabels = 8,

    /// <summary>
    /// The name is the left part of a longer one (a DKIM selector, RFC 6376 3.1: the domain is appended), so its
    /// last label is not a top-level label and may be all-numeric ("s=2024").
    /// </summary>
    Relative = 16,
}
