using System.Net;
using Gateway.Abstractions;
using Gateway.Syntax;
using Gateway.Transport.Dane;
using Gateway.Transport.MtaSts;
using Gateway.Transport.Policy;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Logging;

namespace Gateway.Delivery.Routing;

/// <summary>
/// Decides where the mail for a recipient domain goes. Inbound domains follow the policy routes; outbound
/// domains go to the smarthost or to their MX hosts (RFC 5321 5.1). A next hop that is ourselves is a
/// permanent failure ("mail loops back to myself"), never a delivery. Every next hop carries the TLS it must get:
/// for MX delivery from the TLS policy table, DANE and MTA-STS (<see cref="TlsPolicyResolver"/>, decided before
/// connecting because the certificate check inside the handshake must not look anything up); for routes and the
/// smarthost from their configuration.
/// </summary>
public sealed class Router
{
    private const string AnyDomain = "*";

    private readonly DeliveryOptions _options;
    private readonly IDnsResolver _dns;
    private readonly ILogger<Router> _logger;
    private readonly Random _random;
    private readonly string _ourName;
    private readonly Func<IPAddress, bool> _isLocal;
    private readonly Lock _randomGate = new();
    private readonly TlsPolicyResolver _tls;

    /// <param name="options">Routes, smarthost, port, our name and listeners.</param>
    /// <param name="dns">MX and address lookups.</param>
    /// <param name="logger">Routing problems an operator must see (missing routes, unresolvable hosts).</param>
    /// <param name="localAddresses">The machine's addresses, matched against wildcard listeners; null asks the kernel each time.</param>
    /// <param name="random">Shuffles equal preferences; tests pass a seeded one.</param>
    /// <param name="mtaSts">The destinations' MTA-STS policies (RFC 8461); null: MTA-STS is not used.</param>
    public Router(
        DeliveryOptions options,
        IDnsResolver dns,
        ILogger<Router> logger,
        IEnumerable<IPAddress>? localAddresses = null,
        Random? random = null,
        IMtaStsPolicySource? mtaSts = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _dns = dns;
        _logger = logger;
        _random = random ?? Random.Shared;
        _ourName = DomainName.ComparisonForm(options.HostName);
        if (localAddresses is null)
        {
            _isLocal = new LocalAddressProbe().IsLocal;
        }
        else
        {
            var known = localAddresses.Select(Canonical).ToHashSet();
            _isLocal = known.Contains;
        }

        _tls = new TlsPolicyResolver(options.TlsPolicies, new TlsaResolver(dns), mtaSts ?? NoMtaStsPolicySource.Instance, options.Port);
    }

    /// <summary>The route for recipients of <paramref name="domain"/> in the given direction. Never throws for DNS outcomes.</summary>
    /// <param name="domain">The recipient domain.</param>
    /// <param name="direction">Inbound follows the routes, outbound the smarthost or the MX hosts.</param>
    /// <param name="ignoreTlsPolicy">
    /// The message says "TLS-Required: No" (RFC 8689 4): the recipient domain's DANE and MTA-STS policies and its
    /// policy-table entry are not applied to MX delivery; TLS is still tried, opportunistically. Routes and the
    /// smarthost keep their configured TLS.
    /// </param>
    /// <param name="ct">Cancels the DNS lookups.</param>
    public async ValueTask<RouteDecision> RouteAsync(string domain, MailDirection direction, CancellationToken ct, bool ignoreTlsPolicy = false)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var name = DomainName.ComparisonForm(domain);
        if (direction == MailDirection.Inbound)
        {
            // Routes into our own network keep their TLS whatever the message says: a "TLS-Required: No" from an
            // outside sender must not downgrade how we reach our own servers (RFC 8689 4 is about the recipient
            // domain's policies).
            return await RouteInboundAsync(name, ct).ConfigureAwait(false);
        }

        // An outbound route is the operator's word for one destination, so it goes before the smarthost (as Postfix's
        // transport_maps before relayhost). The recipient domain's DANE and MTA-STS are about its MX hosts, which a
        // route does not use; the route's own TLS stands, as for the smarthost, whatever the message says.
        if (!name.StartsWith('[') && OutboundRoute(name) is { } route)
        {
            var hosts = route.Hosts
                .Select(h => h.Tls is null && !h.RequireTls ? h with { Tls = _options.TlsPolicies.Find(h.Host.Trim('[', ']')) ?? _options.TlsPolicies.Default } : h)
                .ToList();
            return await RouteToHostsAsync("transport:" + route.Key, name, hosts, ct).ConfigureAwait(false);
        }

        // "All outbound mail goes to the smarthost" includes an address literal: the literal names the final
        // destination, not a way around the operator's relay (and the relay's TLS policy).
        if (_options.Smarthost is { } smarthost)
        {
            // Postfix looks up the relay host in the policy table too; the default level applies to it.
            // The relay is the operator's own: its TLS stands even for "TLS-Required: No" mail.
            var entry = smarthost.Tls ?? (smarthost.RequireTls ? smarthost.Entry : null) ?? _options.TlsPolicies.Find(smarthost.Host.Trim('[', ']')) ?? _options.TlsPolicies.Default;
            return await RouteToHostsAsync("smarthost", name, [smarthost with { Tls = entry }], ct).ConfigureAwait(false);
        }

        if (name.StartsWith('['))
        {
            return RouteLiteral(name, ignoreTlsPolicy);
        }

        return await RouteByMxAsync(name, ignoreTlsPolicy, ct).ConfigureAwait(false);
    }

    /// <summary>The outbound route for a domain: its own entry, else ".parent" of the nearest parent that has one.</summary>
    private (string Key, IReadOnlyList<RouteHost> Hosts)? OutboundRoute(string domain)
    {
        var routes = _options.OutboundRoutes;
        if (routes.Count == 0)
        {
            return null;
        }

        if (routes.TryGetValue(domain, out var exact))
        {
            return (domain, exact);
        }

        for (var dot = domain.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = domain.IndexOf('.', dot + 1))
        {
            var key = domain[dot..];
            if (routes.TryGetValue(key, out var parent))
            {
                return (key, parent);
            }
        }

        return null;
    }

    /// <summary>True when the address and port are one of our listeners (wildcard listeners match every local address).</summary>
    public bool IsOurselves(IPAddress address, int port)
    {
        var candidate = Canonical(address);
        foreach (var listener in _options.ListenerEndPoints)
        {
            if (listener.Port != port)
            {
                continue;
            }

            var bound = Canonical(listener.Address);
            if (bound.Equals(candidate))
            {
                return true;
            }

            var wildcard = bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any);
            if (wildcard && (IPAddress.IsLoopback(candidate) || _isLocal(candidate)))
            {
                return true;
            }
        }

        return false;
    }

    private async ValueTask<RouteDecision> RouteInboundAsync(string domain, CancellationToken ct)
    {
        if (_options.Routes.TryGetValue(domain, out var hosts))
        {
            return await RouteToHostsAsync("route:" + domain, domain, hosts, ct).ConfigureAwait(false);
        }

        if (_options.Routes.TryGetValue(AnyDomain, out var fallback))
        {
            return await RouteToHostsAsync("route:*", domain, fallback, ct).ConfigureAwait(false);
        }

        // Our domain but nowhere to put it: a configuration gap, so keep the mail and shout (design: 4.4.0).
        RoutingLog.NoRoute(_logger, domain);
        return RouteDecision.Fail("route:" + domain, RouteFailure.Transient("4.4.0", $"no route for {domain}"));
    }

    /// <summary>RFC 5321 5.1: an address literal names the host directly; no MX lookup.</summary>
    private RouteDecision RouteLiteral(string literal, bool ignoreTlsPolicy)
    {
        var destination = "literal:" + literal;
        var inner = literal.Trim('[', ']');
        if (inner.StartsWith("ipv6:", StringComparison.OrdinalIgnoreCase))
        {
            inner = inner[5..];
        }

        if (!IPAddress.TryParse(inner, out var address))
        {
            return RouteDecision.Fail(destination, RouteFailure.Permanent(550, "5.1.2", $"bad address literal {literal}"));
        }

        if (IsOurselves(address, _options.Port))
        {
            return RouteDecision.Fail(destination, LoopsBack(literal));
        }

        var entry = ignoreTlsPolicy ? TlsPolicyEntry.Default : _options.TlsPolicies.Find(literal) ?? _options.TlsPolicies.Default;
        return RouteDecision.To(destination, [new NextHop(inner, address, _options.Port, Fixed(inner, literal, entry))]);
    }

    private async ValueTask<RouteDecision> RouteByMxAsync(string domain, bool ignoreTlsPolicy, CancellationToken ct)
    {
        var destination = "mx:" + domain;
        var mx = await _dns.GetMxAsync(domain, ct).ConfigureAwait(false);
        List<(string Host, int Preference)> exchanges;
        switch (mx.Status)
        {
            case DnsStatus.Ok:
                var usable = mx.Records.Where(r => !r.IsNullMx).ToList();
                if (usable.Count == 0)
                {
                    // RFC 7505 3: "0 ." says the domain accepts no mail; fail at once instead of retrying.
                    return RouteDecision.Fail(destination, RouteFailure.Permanent(556, "5.1.10", $"Recipient address rejected: {domain} does not accept mail (null MX)"));
                }

                exchanges = usable.Select(r => (DomainName.ComparisonForm(r.Exchange), r.Preference)).ToList();
                break;
            case DnsStatus.NoData:
                // RFC 5321 5.1: no MX records, so the domain itself is the implicit MX with preference 0.
                exchanges = [(domain, 0)];
                break;
            case DnsStatus.NxDomain:
                return RouteDecision.Fail(destination, RouteFailure.Permanent(550, "5.1.2", $"domain not found: {domain}"));
            default:
                return RouteDecision.Fail(destination, RouteFailure.Transient("4.4.3", $"DNS lookup for {domain} failed temporarily ({Describe(mx.Status)})"));
        }

        var ordered = OrderByPreference(exchanges, e => e.Preference);

        // RFC 5321 5.1: if we are one of the MX hosts, only hosts strictly more preferred than us may be used;
        // if none is left, the mail would come back to us.
        var ours = ordered.FindIndex(e => e.Host == _ourName);
        if (ours >= 0)
        {
            var ourPreference = ordered[ours].Preference;
            ordered = ordered.Where(e => e.Preference < ourPreference).ToList();
            if (ordered.Count == 0)
            {
                return RouteDecision.Fail(destination, LoopsBack(domain));
            }
        }

        var names = ordered.Select(e => e.Host).Distinct(StringComparer.Ordinal).ToList();
        DestinationTlsPolicy tls;
        if (ignoreTlsPolicy)
        {
            tls = new DestinationTlsPolicy(domain, [.. names.Select(h => Fixed(h, domain, TlsPolicyEntry.Default))], TlsRptPolicy.NoPolicy(domain));
        }
        else
        {
            // RFC 7672 2.2.2: DANE applies only when the MX answer (or the denial that there is one) was authenticated.
            tls = await _tls.ResolveAsync(domain, _options.Dane && await MxSecureAsync(domain, mx, ct).ConfigureAwait(false), names, ct).ConfigureAwait(false);
        }

        if (tls.DeferReason is { } deferred)
        {
            RoutingLog.TlsPolicyDefers(_logger, domain, deferred);
            return RouteDecision.Fail(destination, RouteFailure.Transient("4.7.5", deferred)) with { Tls = tls };
        }

        var candidates = new List<(string Host, int Port, HopTlsRequirement Tls)>(ordered.Count);
        string? unavailable = null;
        foreach (var (host, _) in ordered)
        {
            // Hosts an enforced MTA-STS policy does not list are no candidates (RFC 8461 4.1); a host whose TLSA
            // records could not be looked up securely is skipped (RFC 7672 2.1.1).
            if (tls.For(host) is not { } requirement)
            {
                continue;
            }

            if (requirement.UnavailableReason is { } why)
            {
                unavailable ??= $"TLS required by {requirement.RequiredBy}: {why}";
                continue;
            }

            candidates.Add((host, _options.Port, requirement));
        }

        if (candidates.Count == 0)
        {
            var reason = unavailable ?? $"no MX host of {domain} is usable under its TLS policy";
            RoutingLog.TlsPolicyDefers(_logger, domain, reason);
            return RouteDecision.Fail(destination, RouteFailure.Transient("4.7.5", reason)) with { Tls = tls };
        }

        return await ResolveAsync(destination, domain, candidates, reported: true, ct).ConfigureAwait(false) with { Tls = tls };
    }

    /// <summary>
    /// RFC 7672 2.2.2: DANE applies when the MX RRset was authenticated; without MX records, when the authenticated
    /// denial is followed by authenticated address records of the domain itself (the implicit MX).
    /// </summary>
    private async ValueTask<bool> MxSecureAsync(string domain, DnsAnswer<MxRecord> mx, CancellationToken ct)
    {
        if (!mx.Authenticated)
        {
            return false;
        }

        if (mx.Status != DnsStatus.NoData)
        {
            return true;
        }

        return (await _dns.GetAddressesAsync(domain, ct).ConfigureAwait(false)).Authenticated;
    }

    private async ValueTask<RouteDecision> RouteToHostsAsync(string destination, string domain, IReadOnlyList<RouteHost> hosts, CancellationToken ct)
    {
        var ordered = OrderByPreference(hosts.ToList(), h => h.Preference);
        var candidates = ordered
            .Select(h => (Host: DomainName.ComparisonForm(h.Host), h.Port, h.Entry))
            .Select(h => (h.Host, h.Port, Fixed(h.Host.Trim('[', ']'), domain, h.Entry)))
            .ToList();
        return await ResolveAsync(destination, domain, candidates, reported: false, ct).ConfigureAwait(false);
    }

    /// <summary>The requirement of a configured host: its level, the names to verify, its pinned CAs.</summary>
    private static HopTlsRequirement Fixed(string host, string domain, TlsPolicyEntry entry) => new()
    {
        Host = host,
        Level = entry.Level,
        VerifyNames = entry.MatchNames is { Count: > 0 } names ? names : [host],
        TrustAnchors = entry.TrustAnchors,
        Report = TlsRptPolicy.NoPolicy(domain),
    };

    /// <summary>Turns ordered host names into ordered addresses, dropping hosts without one and failing if none is left.</summary>
    private async ValueTask<RouteDecision> ResolveAsync(
        string destination, string domain, List<(string Host, int Port, HopTlsRequirement Tls)> hosts, bool reported, CancellationToken ct)
    {
        var hops = new List<NextHop>();
        var temporary = false;
        var loops = false;
        foreach (var (host, port, tls) in hosts)
        {
            if (hops.Count >= _options.MaxAddressesPerDestination)
            {
                break;
            }

            if (host == _ourName)
            {
                loops = true;
                continue;
            }

            IReadOnlyList<IPAddress> addresses;
            if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
            {
                addresses = [literal];
            }
            else
            {
                var answer = await _dns.GetAddressesAsync(host, ct).ConfigureAwait(false);
                if (answer.Status is DnsStatus.ServerFailure or DnsStatus.Timeout)
                {
                    temporary = true;
                    RoutingLog.HostLookupFailed(_logger, host, domain, answer.Status);
                    continue;
                }

                addresses = answer.Records;
                if (addresses.Count == 0)
                {
                    RoutingLog.HostLookupFailed(_logger, host, domain, answer.Status);
                    continue;
                }
            }

            foreach (var address in addresses)
            {
                if (IsOurselves(address, port))
                {
                    loops = true;
                    continue;
                }

                if (hops.Count < _options.MaxAddressesPerDestination)
                {
                    hops.Add(new NextHop(host, address, port, tls, reported));
                }
            }
        }

        if (hops.Count > 0)
        {
            return RouteDecision.To(destination, hops);
        }

        if (loops)
        {
            return RouteDecision.Fail(destination, LoopsBack(domain));
        }

        if (temporary)
        {
            return RouteDecision.Fail(destination, RouteFailure.Transient("4.4.3", $"cannot resolve the mail servers of {domain} now"));
        }

        // Every host exists nowhere or has no address: RFC 3463 X.4.4 "unable to route".
        return RouteDecision.Fail(destination, RouteFailure.Permanent(550, "5.4.4", $"no address for the mail servers of {domain}"));
    }

    /// <summary>RFC 5321 5.1: lower preference first; hosts of equal preference in random order to spread the load.</summary>
    private List<T> OrderByPreference<T>(List<T> items, Func<T, int> preference)
    {
        var shuffled = items.ToArray();
        lock (_randomGate)
        {
            _random.Shuffle(shuffled);
        }

        // OrderBy is stable, so the shuffle survives among equals.
        return shuffled.OrderBy(preference).ToList();
    }

    private static RouteFailure LoopsBack(string domain) =>
        RouteFailure.Permanent(554, "5.4.6", $"mail for {domain} loops back to myself");

    private static string Describe(DnsStatus status) => status == DnsStatus.Timeout ? "timeout" : "server failure";

    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
