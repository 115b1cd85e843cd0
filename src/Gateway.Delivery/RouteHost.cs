namespace Gateway.Delivery;

/// <summary>
/// One configured next hop (an inbound route entry or the smarthost): a host name or IP address (an IPv6
/// address may be bracketed), its port, its preference among the entries of the same route (lower first,
/// as for MX), and whether STARTTLS is mandatory on connections to it.
/// </summary>
public sealed record RouteHost(string Host, int Port, int Preference, bool RequireTls);
