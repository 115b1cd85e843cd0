using System.Collections.ObjectModel;
using System.Globalization;
using System.Net;
using Gateway.Policy.Yaml;
using Gateway.Transport;

namespace Gateway.Policy.Validation;

/// <summary>The delivery: and dns: sections.</summary>
internal sealed partial class PolicyReader
{
    private const string Wildcard = "*";

    private static readonly string[] DeliveryKeys =
    [
        "port", "smarthost", "routes", "outbound_routes", "concurrency", "concurrency_per_destination", "connect_timeout", "command_timeout", "retry",
        "delay_notice_after", "bounce_after", "max_received_headers", "tls",
    ];

    private static readonly string[] RetryKeys = ["first", "max", "factor"];
    private static readonly string[] RouteHostKeys = ["host", "port", "preference", "require_tls", "tls"];
    private static readonly string[] SmarthostKeys = ["host", "port", "tls"];
    private static readonly string[] DnsKeys = ["servers", "timeout", "dnssec"];

    private static readonly (string Name, DnssecMode Value)[] DnssecModes = [("off", DnssecMode.Off), ("validating", DnssecMode.Validating)];

    private static readonly TimeSpan MaxRetry = TimeSpan.FromDays(1);
    private static readonly TimeSpan MinDelayNotice = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MinBounce = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxQueueLifetime = TimeSpan.FromDays(30);
    private static readonly TimeSpan MinDnsTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDnsTimeout = TimeSpan.FromSeconds(30);

    private const int DefaultSmtpPort = 25;

    // RFC 1035 3.3.9: MX preference is a 16-bit unsigned integer; route preferences mean the same.
    private const int MaxPreference = 65535;

    private const int DnsPort = 53;

    private DeliveryPolicy ReadDelivery(YamlNode node, IReadOnlyList<string> domains, bool domainsComplete)
    {
        var fields = Fields(node, "delivery", DeliveryKeys);
        var defaults = new DeliveryPolicy();

        Setting<int> Int(string key, int min, int max, int fallback)
        {
            if (!TryGet(fields, key, out var n))
            {
                return new(fallback, null, true);
            }

            var before = _errors.Count;
            var value = ReadInt(n, "delivery." + key, min, max, fallback);
            return new(value, n, _errors.Count == before);
        }

        Setting<TimeSpan> Duration(string key, TimeSpan min, TimeSpan max, TimeSpan fallback)
        {
            if (!TryGet(fields, key, out var n))
            {
                return new(fallback, null, true);
            }

            var before = _errors.Count;
            var value = ReadDuration(n, "delivery." + key, min, max, fallback);
            return new(value, n, _errors.Count == before);
        }

        var port = Int("port", 1, 65535, defaults.Port);
        var (smarthost, smarthostTls) = TryGet(fields, "smarthost", out var smarthostNode) ? ReadSmarthost(smarthostNode) : (null, null);
        IReadOnlyDictionary<string, IReadOnlyList<RouteHostPolicy>> routes = TryGet(fields, "routes", out var routesNode)
            ? ReadRoutes(routesNode, domains, domainsComplete)
            : defaults.Routes;
        IReadOnlyDictionary<string, IReadOnlyList<RouteHostPolicy>> outboundRoutes = TryGet(fields, "outbound_routes", out var outboundNode)
            ? ReadOutboundRoutes(outboundNode, domains)
            : defaults.OutboundRoutes;

        var concurrency = Int("concurrency", 1, 10_000, defaults.Concurrency);
        var perDestination = Int("concurrency_per_destination", 1, 1000, defaults.ConcurrencyPerDestination);
        RequireOrder(perDestination, "delivery.concurrency_per_destination", concurrency, "delivery.concurrency", strict: false, reportAtLow: true, Show);

        var connectTimeout = Duration("connect_timeout", MinTimeout, MaxTimeout, defaults.ConnectTimeout);
        var commandTimeout = Duration("command_timeout", MinTimeout, MaxTimeout, defaults.CommandTimeout);
        var retry = TryGet(fields, "retry", out var retryNode) ? ReadRetry(retryNode) : defaults.Retry;

        var delayNotice = Duration("delay_notice_after", MinDelayNotice, MaxQueueLifetime, defaults.DelayNoticeAfter);
        var bounce = Duration("bounce_after", MinBounce, MaxQueueLifetime, defaults.BounceAfter);

        // A delay notice (RFC 3464) after the message already bounced would never be sent.
        RequireOrder(delayNotice, "delivery.delay_notice_after", bounce, "delivery.bounce_after", strict: true, reportAtLow: true, DurationParser.Describe);

        // RFC 5321 6.3: loop detection by counting Received fields "SHOULD use a large rejection threshold,
        // normally at least 100"; the default 50 follows Postfix's hopcount_limit. Below 10, mail that merely
        // passed a few internal hops would already be refused.
        var maxReceived = Int("max_received_headers", 10, 500, defaults.MaxReceivedHeaders);
        var tls = TryGet(fields, "tls", out var tlsNode) ? ReadOutboundTls(tlsNode) : defaults.Tls;

        return new DeliveryPolicy
        {
            Port = port.Value,
            Smarthost = smarthost,
            SmarthostTls = smarthostTls,
            Routes = routes,
            OutboundRoutes = outboundRoutes,
            Concurrency = concurrency.Value,
            ConcurrencyPerDestination = perDestination.Value,
            ConnectTimeout = connectTimeout.Value,
            CommandTimeout = commandTimeout.Value,
            Retry = retry,
            DelayNoticeAfter = delayNotice.Value,
            BounceAfter = bounce.Value,
            MaxReceivedHeaders = maxReceived.Value,
            Tls = tls,
        };
    }

    private RetryPolicy ReadRetry(YamlNode node)
    {
        var fields = Fields(node, "delivery.retry", RetryKeys);
        var defaults = new RetryPolicy();

        Setting<TimeSpan> Duration(string key, TimeSpan fallback)
        {
            if (!TryGet(fields, key, out var n))
            {
                return new(fallback, null, true);
            }

            var before = _errors.Count;
            var value = ReadDuration(n, "delivery.retry." + key, MinTimeout, MaxRetry, fallback);
            return new(value, n, _errors.Count == before);
        }

        var first = Duration("first", defaults.First);
        var max = Duration("max", defaults.Max);
        RequireOrder(first, "delivery.retry.first", max, "delivery.retry.max", strict: false, reportAtLow: false, DurationParser.Describe);

        // An integer keeps the schedule exact and easy to predict: 5m, 10m, 20m, ...
        var factor = TryGet(fields, "factor", out var factorNode) ? ReadInt(factorNode, "delivery.retry.factor", 1, 10, defaults.Factor) : defaults.Factor;
        return new RetryPolicy { First = first.Value, Max = max.Value, Factor = factor };
    }

    private ReadOnlyDictionary<string, IReadOnlyList<RouteHostPolicy>> ReadRoutes(YamlNode node, IReadOnlyList<string> domains, bool domainsComplete) =>
        ReadRouteMap(node, "delivery.routes", key => ReadRouteKey(key, domains, domainsComplete));

    private ReadOnlyDictionary<string, IReadOnlyList<RouteHostPolicy>> ReadOutboundRoutes(YamlNode node, IReadOnlyList<string> domains) =>
        ReadRouteMap(node, "delivery.outbound_routes", key => ReadOutboundRouteKey(key, domains));

    /// <summary>A mapping of route key to hosts; <paramref name="readKey"/> gives the canonical key, or null after an error at it.</summary>
    private ReadOnlyDictionary<string, IReadOnlyList<RouteHostPolicy>> ReadRouteMap(YamlNode node, string section, Func<YamlScalar, string?> readKey)
    {
        var result = new Dictionary<string, IReadOnlyList<RouteHostPolicy>>(StringComparer.Ordinal);
        if (node is not YamlMapping map)
        {
            Error(node, $"{section}: expected a mapping of domain to hosts, found {node.Description}");
            return result.AsReadOnly();
        }

        var keys = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
        foreach (var entry in map.Entries)
        {
            var route = readKey(entry.Key);
            if (route is not null && !keys.TryAdd(route, entry.Key))
            {
                // Different spellings of one domain ("Example.TEST", "example.test") pass the YAML duplicate check.
                var first = keys[route].Position;
                Error(entry.Key, $"{section}: the route for '{route}' is already defined (first at line {first.Line}, column {first.Column})");
                route = null;
            }

            var hosts = ReadRouteHosts(entry.Value, $"{section}.{Echo.Of(entry.Key.Value)}");
            if (route is not null)
            {
                result.Add(route, hosts);
            }
        }

        return result.AsReadOnly();
    }

    /// <summary>The canonical domain, or "." and the canonical parent for its subdomains; null after an error at the key.</summary>
    private string? ReadOutboundRouteKey(YamlScalar key, IReadOnlyList<string> domains)
    {
        if (key.Value == Wildcard)
        {
            Error(key, "delivery.outbound_routes: \"*\" is not a domain; all outbound mail to one host is delivery.smarthost");
            return null;
        }

        var subdomains = key.Value.StartsWith('.');
        var problem = DomainNameParser.TryCanonicalize(subdomains ? key.Value[1..] : key.Value, requireFullyQualified: false, out var domain);
        if (problem is not null)
        {
            Error(key, $"delivery.outbound_routes: {problem}; a key is a domain, or .domain for the names under it");
            return null;
        }

        // Mail for our own domains is inbound and follows delivery.routes; an entry here would never be used.
        if (!subdomains && domains.Contains(domain, StringComparer.Ordinal))
        {
            Error(key, $"delivery.outbound_routes: '{Echo.Of(key.Value)}' is one of our domains; its mail is inbound and goes by delivery.routes");
            return null;
        }

        return subdomains ? "." + domain : domain;
    }

    /// <summary>The canonical domain or "*", or null after an error at the key.</summary>
    private string? ReadRouteKey(YamlScalar key, IReadOnlyList<string> domains, bool domainsComplete)
    {
        if (key.Value == Wildcard)
        {
            return Wildcard;
        }

        var problem = DomainNameParser.TryCanonicalize(key.Value, requireFullyQualified: false, out var domain);
        if (problem is not null)
        {
            Error(key, $"delivery.routes: {problem}; a route key is one of domains or \"*\"");
            return null;
        }

        // Routes carry inbound mail only (outbound goes by MX or the smarthost), so a route for a domain that
        // is not ours would never be used: almost certainly a typo or a forgotten domains entry. When domains
        // itself had errors the list is incomplete and the check would only echo them.
        if (domainsComplete && !domains.Contains(domain, StringComparer.Ordinal))
        {
            var ours = domains.Count == 0 ? "domains is empty" : "domains: " + string.Join(", ", domains);
            var hint = KeySuggestion.Closest(domain, domains);
            var message = $"delivery.routes: '{Echo.Of(key.Value)}' is not one of our domains ({ours}); routes are for inbound mail";
            Error(key, hint is null ? message : $"{message}; did you mean '{hint}'?");
            return null;
        }

        return domain;
    }

    private List<RouteHostPolicy> ReadRouteHosts(YamlNode node, string section)
    {
        var result = new List<RouteHostPolicy>();
        var items = Items(node, section);
        if (items.Count == 0 && node is YamlSequence)
        {
            Error(node, $"{section}: a route needs at least one host");
        }

        var seen = new Dictionary<(string Host, int Port), YamlNode>();
        for (var i = 0; i < items.Count; i++)
        {
            var itemSection = $"{section}[{i}]";
            var fields = Fields(items[i], itemSection, RouteHostKeys);
            if (fields is null)
            {
                continue;
            }

            string? host = null;
            if (TryGet(fields, "host", out var hostNode))
            {
                host = ReadHost(hostNode, itemSection + ".host");
            }
            else
            {
                Error(items[i], $"{itemSection}.host is required");
            }

            var port = TryGet(fields, "port", out var portNode) ? ReadInt(portNode, itemSection + ".port", 1, 65535, DefaultSmtpPort) : DefaultSmtpPort;
            var preference = TryGet(fields, "preference", out var preferenceNode)
                ? ReadInt(preferenceNode, itemSection + ".preference", 0, MaxPreference, 10)
                : 10;
            var requireTls = TryGet(fields, "require_tls", out var requireTlsNode) && ReadBool(requireTlsNode, itemSection + ".require_tls", false);

            // require_tls: true is the older spelling of tls: verify; both at once would be ambiguous.
            DestinationTlsSetting? tls = requireTls ? new DestinationTlsSetting { Level = TlsLevel.Verify } : null;
            if (TryGet(fields, "tls", out var tlsNode))
            {
                if (requireTlsNode is not null && requireTls)
                {
                    Error(tlsNode, $"{itemSection}: give either tls or require_tls, not both");
                }
                else
                {
                    tls = ReadDestinationTls(tlsNode, itemSection + ".tls", RouteTlsLevels);
                }
            }

            if (host is null)
            {
                continue;
            }

            if (!seen.TryAdd((host, port), hostNode))
            {
                var first = seen[(host, port)].Position;
                Error(hostNode, $"{itemSection}.host: {new HostEndpoint(host, port)} is already listed in this route (line {first.Line}, column {first.Column})");
                continue;
            }

            result.Add(new RouteHostPolicy { Host = host, Port = port, Preference = preference, Tls = tls });
        }

        return result;
    }

    private DnsPolicy ReadDns(YamlNode node)
    {
        var fields = Fields(node, "dns", DnsKeys);
        var defaults = new DnsPolicy();
        var servers = new List<IPEndPoint>();
        if (TryGet(fields, "servers", out var serversNode))
        {
            var seen = new Dictionary<IPEndPoint, YamlNode>();
            var index = 0;
            foreach (var item in Items(serversNode, "dns.servers"))
            {
                var name = $"dns.servers[{index++}]";
                var text = ReadString(item, name);
                if (text is null)
                {
                    continue;
                }

                var problem = HostParser.TryParseHostPort(text, DnsPort, allowNames: false, out var host, out var port);
                if (problem is not null)
                {
                    Error(item, $"{name}: {problem}");
                    continue;
                }

                var endPoint = new IPEndPoint(IPAddress.Parse(host), port);
                if (!seen.TryAdd(endPoint, item))
                {
                    var first = seen[endPoint].Position;
                    Error(item, $"{name}: {endPoint} is listed twice (first at line {first.Line}, column {first.Column})");
                    continue;
                }

                servers.Add(endPoint);
            }
        }

        var timeout = TryGet(fields, "timeout", out var timeoutNode)
            ? ReadDuration(timeoutNode, "dns.timeout", MinDnsTimeout, MaxDnsTimeout, defaults.Timeout)
            : defaults.Timeout;
        var dnssec = TryGet(fields, "dnssec", out var dnssecNode)
            ? ReadEnum(dnssecNode, "dns.dnssec", DnssecModes, defaults.Dnssec)
            : defaults.Dnssec;
        return new DnsPolicy { Servers = servers, Timeout = timeout, Dnssec = dnssec };
    }

    /// <summary>"host[:port]", or {host, port, tls} when the relay needs TLS settings of its own.</summary>
    private (HostEndpoint? Host, DestinationTlsSetting? Tls) ReadSmarthost(YamlNode node)
    {
        const string Section = "delivery.smarthost";
        if (node is not YamlMapping)
        {
            return (ReadHostEndpoint(node, Section), null);
        }

        var fields = Fields(node, Section, SmarthostKeys);
        if (fields is null)
        {
            return (null, null);
        }

        string? host = null;
        if (TryGet(fields, "host", out var hostNode))
        {
            host = ReadHost(hostNode, Section + ".host");
        }
        else
        {
            Error(node, $"{Section}.host is required");
        }

        var port = TryGet(fields, "port", out var portNode) ? ReadInt(portNode, Section + ".port", 1, 65535, DefaultSmtpPort) : DefaultSmtpPort;
        var tls = TryGet(fields, "tls", out var tlsNode) ? ReadDestinationTls(tlsNode, Section + ".tls", RouteTlsLevels) : null;
        return (host is null ? null : new HostEndpoint(host, port), tls);
    }

    private HostEndpoint? ReadHostEndpoint(YamlNode node, string name)
    {
        var text = ReadString(node, name);
        if (text is null)
        {
            return null;
        }

        var problem = HostParser.TryParseHostPort(text, DefaultSmtpPort, allowNames: true, out var host, out var port);
        if (problem is not null)
        {
            Error(node, $"{name}: {problem}");
            return null;
        }

        return new HostEndpoint(host, port);
    }

    private string? ReadHost(YamlNode node, string name)
    {
        var text = ReadString(node, name);
        if (text is null)
        {
            return null;
        }

        var problem = HostParser.TryParseHost(text, out var host);
        if (problem is not null)
        {
            Error(node, $"{name}: {problem}");
            return null;
        }

        return host;
    }

    /// <summary>
    /// Checks <paramref name="low"/> &lt;= (or &lt;) <paramref name="high"/>. The error goes to a value the
    /// file sets: to <paramref name="low"/> when <paramref name="reportAtLow"/> and it is set, else to the other;
    /// a value left at its default is named as such so the admin knows which key to add.
    /// </summary>
    private void RequireOrder<T>(Setting<T> low, string lowName, Setting<T> high, string highName, bool strict, bool reportAtLow, Func<T, string> show)
        where T : IComparable<T>
    {
        if (!low.Valid || !high.Valid || (low.Node is null && high.Node is null))
        {
            return;
        }

        var comparison = low.Value.CompareTo(high.Value);
        if (strict ? comparison < 0 : comparison <= 0)
        {
            return;
        }

        if (low.Node is not null && (reportAtLow || high.Node is null))
        {
            var relation = strict ? "must be less than" : "must be at most";
            Error(low.Node, $"{lowName}: {show(low.Value)} {relation} {highName} ({show(high.Value)}{DefaultNote(high)})");
        }
        else
        {
            var relation = strict ? "must be more than" : "must be at least";
            Error(high.Node!, $"{highName}: {show(high.Value)} {relation} {lowName} ({show(low.Value)}{DefaultNote(low)})");
        }

        static string DefaultNote(Setting<T> setting) => setting.Node is null ? ", the default" : string.Empty;
    }

    private static string Show(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A value read from the file (<see cref="Node"/> set) or its default; <see cref="Valid"/> is false after an error.</summary>
    private readonly record struct Setting<T>(T Value, YamlNode? Node, bool Valid);
}
