namespace Gateway.Syntax;

/// <summary>Why <see cref="DomainName.TryCanonicalize"/> refused a name.</summary>
public enum DomainNameError
{
    None,

    /// <summary>Nothing, or only the root dot.</summary>
    Empty,

    /// <summary>A trailing root dot without <see cref="DomainNameOptions.AllowTrailingDot"/>.</summary>
    TrailingDot,

    /// <summary>A label over 63 characters or a name over 253 in text form (RFC 1035 2.3.4).</summary>
    TooLong,

    /// <summary>
    /// An empty label ("a..b", ".a"), a character outside the label syntax, a hyphen at either end of a label,
    /// a U-label IDNA refuses, or an "xn--" label that is not a valid A-label.
    /// </summary>
    InvalidLabel,

    /// <summary>A non-ASCII character without <see cref="DomainNameOptions.AllowUnicode"/>.</summary>
    NonAscii,

    /// <summary>An all-numeric top-level label ("192.0.2.1" is an address, not a name; RFC 1123 2.1).</summary>
    NumericTopLevelLabel,

    /// <summary>One label where <see cref="DomainNameOptions.RequireMultipleLabels"/> asks for more.</summary>
    SingleLabel,
}
