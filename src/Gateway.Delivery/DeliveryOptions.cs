using System.Net;
using Gateway.Transport.Policy;

namespace Gateway.Delivery;

/// <summary>Settings of routing and the SMTP client (policy keys under <c>delivery:</c>).</summary>
public sealed record DeliveryOptions
{
    /// <summary>Our host name: the EHLO argument and the name that marks an MX host as ourselves (RFC 5321 5.1).</summary>
    public required string HostName { get; init; }

    /// <summary>Port for MX and implicit-MX delivery (RFC 5321 4.5.4: 25; tests point it at a sink).</summary>
    public int Port { get; init; } = 25;

    /// <summary>When set, every outbound recipient goes there instead of to the MX hosts.</summary>
    public RouteHost? Smarthost { get; init; }

    /// <summary>
    /// Inbound routes: one of our domains (or "*" for our domains without their own entry) to the internal hosts
    /// that take its mail. Keys compare case-insensitively.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<RouteHost>> Routes { get; init; } =
        new Dictionary<string, IReadOnlyList<RouteHost>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Outbound routes (delivery.outbound_routes, Postfix's transport_maps): another domain, or ".domain" for the
    /// names under it, to the hosts that take its mail instead of its MX hosts or the smarthost. Keys are canonical.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<RouteHost>> OutboundRoutes { get; init; } =
        new Dictionary<string, IReadOnlyList<RouteHost>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// TLS per destination for MX delivery, the smarthost and address literals (delivery.tls: level and
    /// destinations, Postfix's smtp_tls_policy_maps). Inbound routes carry their own (<see cref="RouteHost.Tls"/>).
    /// </summary>
    public TlsPolicyTable TlsPolicies { get; init; } = TlsPolicyTable.Empty;

    /// <summary>Honour DANE (RFC 7672): look up TLSA records for MX hosts whose MX answer was DNSSEC-authenticated.</summary>
    public bool Dane { get; init; } = true;

    /// <summary>Simultaneous SMTP transactions in total.</summary>
    public int Concurrency { get; init; } = 100;

    /// <summary>Simultaneous SMTP transactions to one destination (a domain's MX set, a route or the smarthost).</summary>
    public int ConcurrencyPerDestination { get; init; } = 20;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long each reply may take, the greeting, the TLS handshake and the reply to the end of data included.
    /// RFC 5321 4.5.3.2 suggests 5 minutes for most commands and 10 minutes for the end of data; one value
    /// keeps it simple.
    /// </summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long each write to the server may take (RFC 5321 4.5.3.2.5: data block, 3 minutes).</summary>
    public TimeSpan DataBlockTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Octets per BDAT chunk (RFC 3030). A message up to this size goes in one "BDAT n LAST", in the same
    /// pipelined group as MAIL and RCPT; larger ones take one round trip per further chunk.
    /// </summary>
    internal int ChunkSize { get; init; } = 256 * 1024;

    /// <summary>How long an idle connection is kept for the next message to the same hop.</summary>
    public TimeSpan IdleConnectionTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The gateway's own listening endpoints. A next hop whose address and port match one of them is ourselves:
    /// delivering there would loop (an unspecified listener address matches every local address).
    /// </summary>
    public IReadOnlyList<IPEndPoint> ListenerEndPoints { get; init; } = [];

    /// <summary>
    /// At most this many addresses are tried for one destination, so a domain publishing hundreds of MX
    /// hosts cannot make one delivery attempt run for hours (Postfix smtp_mx_address_limit is 5).
    /// </summary>
    public int MaxAddressesPerDestination { get; init; } = 10;
}
