using Gateway.Syntax;

namespace Gateway.Dns;

/// <summary>Name handling shared by the resolvers.</summary>
internal static class DnsNames
{
    /// <summary>
    /// The comparison form of a name: lower-case (RFC 4343: DNS names compare case-insensitively) and without
    /// the trailing root dot. The root itself stays ".".
    /// </summary>
    public static string Normalize(string name) => DomainName.ComparisonForm(name) is { Length: > 0 } form ? form : ".";

    /// <summary>
    /// True when a query can carry the (normalized) name (<see cref="DomainName.FitsInDns"/>: labels of 1-63
    /// octets, at most 253 characters in text form). The root is queryable.
    /// </summary>
    public static bool IsQueryable(string normalized) => normalized == "." || DomainName.FitsInDns(normalized);
}
