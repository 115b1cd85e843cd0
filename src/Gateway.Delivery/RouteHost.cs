using Gateway.Transport.Policy;

namespace Gateway.Delivery;

/// <summary>
/// One configured next hop (an inbound route entry or the smarthost): a host name or IP address (an IPv6
/// address may be bracketed), its port, its preference among the entries of the same route (lower first,
/// as for MX), and whether STARTTLS is mandatory on connections to it. <see cref="Tls"/> says exactly what TLS
/// it must give (level, names, pinned CAs); without it, <see cref="RequireTls"/> means "verify" and its absence
/// "may".
/// </summary>
public sealed record RouteHost(string Host, int Port, int Preference, bool RequireTls)
{
    public TlsPolicyEntry? Tls { get; init; }

    /// <summary>The TLS policy entry in force for this host.</summary>
    public TlsPolicyEntry Entry => Tls ?? (RequireTls ? new TlsPolicyEntry(Transport.TlsLevel.Verify) : TlsPolicyEntry.Default);
}
