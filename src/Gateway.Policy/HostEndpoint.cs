using System.Globalization;
using System.Net;
using Gateway.Policy.Validation;

namespace Gateway.Policy;

/// <summary>
/// A next hop written as "host:port", "[ipv6]:port" or "host" (delivery.smarthost). <see cref="Host"/> is a
/// canonical host name (lower-case A-labels, no trailing dot) or the canonical text of an IP address.
/// </summary>
public sealed record HostEndpoint(string Host, int Port)
{
    /// <summary>
    /// The address when <see cref="Host"/> is an IP literal, else null (a name to resolve). Parsed strictly: the
    /// lax <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> would take a valid host name such as
    /// "0x0a" for 10.0.0.0.
    /// </summary>
    public IPAddress? Address => NetworkParser.TryParseAddress(Host, out var address) is null ? address : null;

    /// <summary>"host:port", IPv6 in brackets (RFC 3986 3.2.2), for logs and messages.</summary>
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}
