using Gateway.Transport.Policy;

namespace Gateway.Delivery.Routing;

/// <summary>
/// Where the mail for one domain goes: a destination name (the unit of grouping and of per-destination
/// concurrency) with the addresses to try in order, or the reason it cannot go anywhere.
/// </summary>
public sealed record RouteDecision
{
    private RouteDecision(string destination, IReadOnlyList<NextHop> hops, RouteFailure? failure)
    {
        Destination = destination;
        Hops = hops;
        Failure = failure;
    }

    /// <summary>"mx:example.test", "route:example.test", "route:*", "smarthost" or "literal:[192.0.2.1]".</summary>
    public string Destination { get; }

    public IReadOnlyList<NextHop> Hops { get; }

    public RouteFailure? Failure { get; }

    /// <summary>
    /// The TLS policy found for an MX destination (DANE, MTA-STS or the table), with what discovery failed: the
    /// delivery agent counts those failures for TLS-RPT. Null for routes, the smarthost and address literals.
    /// </summary>
    public DestinationTlsPolicy? Tls { get; init; }

    public static RouteDecision To(string destination, IReadOnlyList<NextHop> hops) => new(destination, hops, null);

    public static RouteDecision Fail(string destination, RouteFailure failure) => new(destination, [], failure);
}
