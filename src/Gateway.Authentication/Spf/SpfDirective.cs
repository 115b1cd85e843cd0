using System.Net;

namespace Gateway.Authentication.Spf;

/// <summary>
/// One directive of a record (RFC 7208 4.6.1): qualifier and mechanism with its arguments, checked at parse
/// time. <see cref="Text"/> is the term as published, for logs and the Authentication-Results comment.
/// </summary>
internal sealed record SpfDirective(SpfResult Qualifier, SpfMechanismKind Kind, string Text)
{
    /// <summary>The target-name's domain-spec; null when the mechanism uses the current domain (or has none).</summary>
    public SpfMacroString? DomainSpec { get; init; }

    /// <summary>The network of ip4/ip6.</summary>
    public IPAddress? Network { get; init; }

    /// <summary>Prefix length for IPv4 comparisons (RFC 7208 5.6: default 32).</summary>
    public int Cidr4 { get; init; } = 32;

    /// <summary>Prefix length for IPv6 comparisons (RFC 7208 5.6: default 128).</summary>
    public int Cidr6 { get; init; } = 128;

    /// <summary>RFC 7208 4.6.4: include, a, mx, ptr and exists count against the limit of 10 DNS-querying terms.</summary>
    public bool QueriesDns => Kind is SpfMechanismKind.Include or SpfMechanismKind.A or SpfMechanismKind.Mx or SpfMechanismKind.Ptr or SpfMechanismKind.Exists;
}
