namespace Gateway.Policy;

/// <summary>Outgoing delivery (delivery:): next hops, concurrency, timeouts, retries and notices.</summary>
public sealed record DeliveryPolicy
{
    /// <summary>Port for MX and implicit-MX delivery (RFC 5321 5.1); routes and the smarthost carry their own.</summary>
    public int Port { get; init; } = 25;

    /// <summary>When set, all outbound mail goes there instead of to the recipient domain's MX hosts.</summary>
    public HostEndpoint? Smarthost { get; init; }

    /// <summary>
    /// The smarthost's own TLS (delivery.smarthost: {host, port, tls}); null: its delivery.tls.destinations entry, else
    /// delivery.tls.level. Given here, it also serves a smarthost named by its address, which no destination key can name.
    /// </summary>
    public DestinationTlsSetting? SmarthostTls { get; init; }

    /// <summary>
    /// Inbound routes: key is one of our domains (canonical) or "*" (our domains without a route of their own);
    /// value is the non-empty list of internal hosts for it.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<RouteHostPolicy>> Routes { get; init; } =
        new Dictionary<string, IReadOnlyList<RouteHostPolicy>>(StringComparer.Ordinal).AsReadOnly();

    /// <summary>
    /// Outbound routes (Postfix's transport_maps): a domain of someone else's (canonical), or ".domain" for every
    /// name under it, to the hosts its mail goes to instead of its MX hosts or the smarthost. An exact key wins over
    /// a subdomain key, and a nearer parent over a farther one.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<RouteHostPolicy>> OutboundRoutes { get; init; } =
        new Dictionary<string, IReadOnlyList<RouteHostPolicy>>(StringComparer.Ordinal).AsReadOnly();

    /// <summary>Simultaneous outgoing connections in total.</summary>
    public int Concurrency { get; init; } = 100;

    /// <summary>Simultaneous outgoing connections to one next hop; at most <see cref="Concurrency"/>.</summary>
    public int ConcurrencyPerDestination { get; init; } = 20;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Waiting for each reply; RFC 5321 4.5.3.2 suggests 5 minutes for most commands.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public RetryPolicy Retry { get; init; } = new();

    /// <summary>A still-undelivered message gets one delay notice (RFC 3464) this long after it was received.</summary>
    public TimeSpan DelayNoticeAfter { get; init; } = TimeSpan.FromHours(6);

    /// <summary>Give up (failure notice, recipients Expired) this long after the message was received.</summary>
    public TimeSpan BounceAfter { get; init; } = TimeSpan.FromDays(2);

    /// <summary>
    /// More Received fields than this means a mail loop: 554 5.4.6. RFC 5321 6.3 suggests a threshold of at
    /// least 100; 50 is Postfix's hopcount_limit.
    /// </summary>
    public int MaxReceivedHeaders { get; init; } = 50;

    /// <summary>TLS for delivery to other domains: level, MTA-STS, DANE, per-destination overrides, TLS reports.</summary>
    public OutboundTlsPolicy Tls { get; init; } = new();
}
