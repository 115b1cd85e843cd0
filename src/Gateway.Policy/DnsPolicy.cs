using System.Net;

namespace Gateway.Policy;

/// <summary>The DNS resolver used for delivery (dns:).</summary>
public sealed record DnsPolicy
{
    /// <summary>Name servers to ask; empty means the ones in /etc/resolv.conf.</summary>
    public IReadOnlyList<IPEndPoint> Servers { get; init; } = [];

    /// <summary>Per-query timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the servers validate DNSSEC and their AD bit is trusted (needed for DANE).</summary>
    public DnssecMode Dnssec { get; init; } = DnssecMode.Off;
}
