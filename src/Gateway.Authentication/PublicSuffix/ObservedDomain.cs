using Gateway.Syntax;

namespace Gateway.Authentication.PublicSuffix;

/// <summary>
/// Domains as found in a header, a signature, a DNS record or the Public Suffix List, brought to the one form
/// every comparison in this library uses (<see cref="DomainName"/>: A-labels, lower case, no trailing dot).
/// </summary>
internal static class ObservedDomain
{
    /// <summary>
    /// These names come from other systems: U-labels are converted, a trailing root dot is dropped, and
    /// underscored labels (RFC 8552) occur in real names.
    /// </summary>
    public const DomainNameOptions Options = DomainNameOptions.AllowUnicode | DomainNameOptions.AllowTrailingDot | DomainNameOptions.AllowUnderscore;

    /// <summary>The normalized name, or false when <paramref name="domain"/> is not a usable domain name.</summary>
    public static bool TryNormalize(ReadOnlySpan<char> domain, out string normalized) =>
        DomainName.TryCanonicalize(domain, Options, out normalized) == DomainNameError.None;
}
