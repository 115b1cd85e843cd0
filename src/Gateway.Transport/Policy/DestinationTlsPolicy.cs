using Gateway.Transport.TlsRpt;

namespace Gateway.Transport.Policy;

/// <summary>
/// The TLS requirements of one destination domain: per MX host, in the order given (hosts an enforced MTA-STS
/// policy excludes are dropped). When <see cref="DeferReason"/> is set no host may be used and the destination is
/// deferred. <see cref="DiscoveryFailure"/> is a policy-discovery failure to count in TLS-RPT (an MTA-STS fetch
/// that failed, RFC 8460 4.3.2.2) even though delivery goes on.
/// </summary>
public sealed record DestinationTlsPolicy(
    string Domain,
    IReadOnlyList<HopTlsRequirement> Hops,
    TlsRptPolicy Report,
    string? DeferReason = null,
    string? DeferResultType = null,
    TlsRptFailure? DiscoveryFailure = null)
{
    /// <summary>The requirement of a host of this destination, or null when the host is not to be used.</summary>
    public HopTlsRequirement? For(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.TrimEnd('.');
        return Hops.FirstOrDefault(h => string.Equals(h.Host.TrimEnd('.'), name, StringComparison.OrdinalIgnoreCase));
    }
}
