using Gateway.Transport;

namespace Gateway.Policy;

/// <summary>One entry of delivery.tls.destinations (or the TLS of a route host): level, names to verify, CA bundle.</summary>
public sealed record DestinationTlsSetting
{
    public required TlsLevel Level { get; init; }

    /// <summary>For verify: names the certificate may carry instead of the MX host name (Postfix's "match=").</summary>
    public IReadOnlyList<string> Match { get; init; } = [];

    /// <summary>For verify: a PEM bundle of the only CAs trusted for this destination (absolute path), else the system's.</summary>
    public string? CaFile { get; init; }
}
