using Gateway.Policy.Yaml;

namespace Gateway.Policy.Validation;

/// <summary>rate_limits: and greylisting: (issue 13, before DATA).</summary>
internal sealed partial class PolicyReader
{
    private const string RateLimitsSection = "rate_limits";
    private const string GreylistingSection = "greylisting";
    private const int MaxRateCount = 10_000_000;

    private static readonly string[] RateLimitKeys = ["window", "per_client", "per_network", "per_user", "per_sender", "apply_to_trusted", "max_tracked"];
    private static readonly string[] RateSetKeys = ["connections", "messages", "recipients", "window"];
    private static readonly string[] RateNetworkKeys = ["connections", "messages", "recipients", "window", "ipv4_prefix", "ipv6_prefix"];
    private static readonly string[] GreylistingKeys = ["enabled", "delay", "retry_window", "auto_allow", "ipv4_prefix", "ipv6_prefix", "allow", "max_entries"];
    private static readonly string[] GreylistAllowKeys = ["networks", "sender_domains"];

    private static readonly TimeSpan MaxRateWindow = TimeSpan.FromDays(7);

    private RateLimitsPolicy ReadRateLimits(YamlNode node)
    {
        var fields = Fields(node, RateLimitsSection, RateLimitKeys);
        var defaults = new RateLimitsPolicy();
        var window = TryGet(fields, "window", out var windowNode)
            ? ReadDuration(windowNode, RateLimitsSection + ".window", MinTimeout, MaxRateWindow, RateLimitsPolicy.DefaultWindow)
            : RateLimitsPolicy.DefaultWindow;

        (RateLimitSet Set, Dictionary<string, YamlNode>? Fields) Set(string key, bool connections, string[] keys)
        {
            if (!TryGet(fields, key, out var setNode))
            {
                return (new RateLimitSet { Window = window }, null);
            }

            var section = $"{RateLimitsSection}.{key}";
            var setFields = Fields(setNode, section, keys);
            int? Count(string name) =>
                TryGet(setFields, name, out var n) ? ReadInt(n, $"{section}.{name}", 1, MaxRateCount, 1) : null;

            if (!connections && TryGet(setFields, "connections", out var connectionsNode))
            {
                // The user and the sender are named later in the session than the connection is made.
                Error(connectionsNode, $"{section}.connections: not known when a client connects; limit connections in per_client or per_network");
            }

            var set = new RateLimitSet
            {
                Connections = connections ? Count("connections") : null,
                Messages = Count("messages"),
                Recipients = Count("recipients"),
                Window = TryGet(setFields, "window", out var n) ? ReadDuration(n, section + ".window", MinTimeout, MaxRateWindow, window) : window,
            };
            return (set, setFields);
        }

        var (perNetwork, networkFields) = Set("per_network", connections: true, RateNetworkKeys);
        return new RateLimitsPolicy
        {
            PerClient = Set("per_client", connections: true, RateSetKeys).Set,
            PerNetwork = perNetwork,
            PerUser = Set("per_user", connections: false, RateSetKeys).Set,
            PerSender = Set("per_sender", connections: false, RateSetKeys).Set,
            Ipv4Prefix = TryGet(networkFields, "ipv4_prefix", out var v4) ? ReadInt(v4, RateLimitsSection + ".per_network.ipv4_prefix", 8, 32, defaults.Ipv4Prefix) : defaults.Ipv4Prefix,
            Ipv6Prefix = TryGet(networkFields, "ipv6_prefix", out var v6) ? ReadInt(v6, RateLimitsSection + ".per_network.ipv6_prefix", 16, 128, defaults.Ipv6Prefix) : defaults.Ipv6Prefix,
            ApplyToTrusted = TryGet(fields, "apply_to_trusted", out var trustedNode) && ReadBool(trustedNode, RateLimitsSection + ".apply_to_trusted", false),
            MaxTracked = TryGet(fields, "max_tracked", out var trackedNode)
                ? ReadInt(trackedNode, RateLimitsSection + ".max_tracked", 1000, MaxRateCount, RateLimitsPolicy.DefaultMaxTracked)
                : RateLimitsPolicy.DefaultMaxTracked,
        };
    }

    private GreylistingPolicy ReadGreylisting(YamlNode node)
    {
        var fields = Fields(node, GreylistingSection, GreylistingKeys);
        var defaults = new GreylistingPolicy();
        TimeSpan Duration(string key, TimeSpan min, TimeSpan max, TimeSpan fallback) =>
            TryGet(fields, key, out var n) ? ReadDuration(n, $"{GreylistingSection}.{key}", min, max, fallback) : fallback;

        var delay = Duration("delay", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), defaults.Delay);
        var retryWindow = Duration("retry_window", TimeSpan.FromSeconds(2), TimeSpan.FromDays(30), defaults.RetryWindow);
        if (retryWindow <= delay)
        {
            YamlNode at = TryGet(fields, "retry_window", out var windowNode) ? windowNode : TryGet(fields, "delay", out var delayNode) ? delayNode : node;
            Error(at, $"{GreylistingSection}.retry_window ({DurationParser.Describe(retryWindow)}) must be longer than greylisting.delay ({DurationParser.Describe(delay)})");
        }

        var networks = new List<System.Net.IPNetwork>();
        var domains = new List<string>();
        if (TryGet(fields, "allow", out var allowNode))
        {
            var allow = Fields(allowNode, GreylistingSection + ".allow", GreylistAllowKeys);
            if (TryGet(allow, "networks", out var networksNode))
            {
                networks = ReadNetworks(networksNode, GreylistingSection + ".allow.networks");
            }

            if (TryGet(allow, "sender_domains", out var domainsNode))
            {
                domains = ReadSenderDomains(domainsNode, GreylistingSection + ".allow.sender_domains");
            }
        }

        return new GreylistingPolicy
        {
            // The section is the opt-in; enabled: false keeps it written down but off.
            Enabled = !TryGet(fields, "enabled", out var enabledNode) || ReadBool(enabledNode, GreylistingSection + ".enabled", true),
            Delay = delay,
            RetryWindow = retryWindow,
            AutoAllow = Duration("auto_allow", TimeSpan.FromHours(1), TimeSpan.FromDays(365), defaults.AutoAllow),
            Ipv4Prefix = TryGet(fields, "ipv4_prefix", out var v4) ? ReadInt(v4, GreylistingSection + ".ipv4_prefix", 8, 32, defaults.Ipv4Prefix) : defaults.Ipv4Prefix,
            Ipv6Prefix = TryGet(fields, "ipv6_prefix", out var v6) ? ReadInt(v6, GreylistingSection + ".ipv6_prefix", 16, 128, defaults.Ipv6Prefix) : defaults.Ipv6Prefix,
            AllowNetworks = networks,
            AllowSenderDomains = domains,
            MaxEntries = TryGet(fields, "max_entries", out var entriesNode)
                ? ReadInt(entriesNode, GreylistingSection + ".max_entries", 1000, MaxRateCount, GreylistingPolicy.DefaultMaxEntries)
                : GreylistingPolicy.DefaultMaxEntries,
        };
    }

    /// <summary>Canonical domains; ".example.org" stands for the subdomains of example.org (Postfix's notation).</summary>
    private List<string> ReadSenderDomains(YamlNode node, string section)
    {
        var domains = new List<string>();
        var index = 0;
        foreach (var item in Items(node, section))
        {
            var name = $"{section}[{index++}]";
            var text = ReadString(item, name);
            if (text is null)
            {
                continue;
            }

            var parent = text.StartsWith('.');
            var problem = DomainNameParser.TryCanonicalize(parent ? text[1..] : text, requireFullyQualified: false, out var canonical);
            if (problem is not null)
            {
                Error(item, $"{name}: {problem}");
                continue;
            }

            domains.Add(parent ? "." + canonical : canonical);
        }

        return domains;
    }
}
