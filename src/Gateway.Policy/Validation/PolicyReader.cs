using System.Globalization;
using System.Net;
using Gateway.Policy.Yaml;
using Microsoft.Extensions.Logging;

namespace Gateway.Policy.Validation;

/// <summary>
/// Walks the merged top level of a policy and builds the immutable model, adding a <see cref="PolicyError"/>
/// for every problem found (it never stops at the first). The result is only used when no error was added.
/// </summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] TopLevelKeys =
    [
        IncludeResolver.IncludeKey, "hostname", "domains", "trusted_networks", "state_directory", "listeners", "tls", "auth",
        "relay", "smtp", "limits", "admin", "logging", "delivery", "dns", "authentication", "mta_sts", "smime",
        "spam", "recipients", "rate_limits", "greylisting", "quarantine",
    ];

    private static readonly string[] ListenerKeys =
    [
        "name", "address", "tls", "require_tls", "auth", "require_auth", "proxy_protocol", "trusted_proxies", "pregreet_delay", "reject_early_talkers",
    ];

    private static readonly string[] RelayKeys = ["reject_routing_local_parts"];
    private static readonly string[] SmtpKeys = ["vrfy"];
    private static readonly string[] AdminKeys = ["listen", "token_file"];
    private static readonly string[] LoggingKeys = ["format", "level"];

    private static readonly string[] LimitKeys =
    [
        "command_line", "text_line", "path", "recipients", "message_size", "header_section", "min_data_rate", "min_data_rate_grace",
        "connections", "connections_per_ip", "errors", "timeouts",
    ];

    private static readonly string[] TimeoutKeys = ["greeting", "command", "data_block", "data_termination", "tls_handshake", "session"];

    private static readonly (string Name, ListenerTls Value)[] TlsModes =
        [("none", ListenerTls.None), ("starttls", ListenerTls.StartTls), ("implicit", ListenerTls.Implicit)];

    private static readonly (string Name, ListenerProxyProtocol Value)[] ProxyModes =
    [
        ("off", ListenerProxyProtocol.Off), ("v1", ListenerProxyProtocol.V1), ("v2", ListenerProxyProtocol.V2), ("any", ListenerProxyProtocol.Any),
    ];

    private static readonly (string Name, bool Value)[] VrfyModes = [("reply_252", true), ("disabled", false)];

    private static readonly (string Name, LogFormat Value)[] LogFormats = [("json", LogFormat.Json), ("text", LogFormat.Text)];

    private static readonly (string Name, LogLevel Value)[] LogLevels =
    [
        ("trace", LogLevel.Trace), ("debug", LogLevel.Debug), ("information", LogLevel.Information), ("warning", LogLevel.Warning),
        ("error", LogLevel.Error), ("critical", LogLevel.Critical),
    ];

    private static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxSession = TimeSpan.FromHours(24);
    private static readonly TimeSpan MaxPregreetDelay = TimeSpan.FromMinutes(1);

    private readonly List<PolicyError> _errors;
    private readonly List<string> _sourceFiles;
    private YamlNode? _adminListenNode;

    /// <summary>Listeners with require_auth, checked against auth.credentials_file once that section is read.</summary>
    private readonly List<(string Section, YamlNode Node)> _requireAuthNodes = [];

    public PolicyReader(List<PolicyError> errors, IEnumerable<string> sourceFiles)
    {
        _errors = errors;
        _sourceFiles = [.. sourceFiles];
    }

    /// <summary>Builds the policy from the merged top level of <paramref name="main"/> and its includes.</summary>
    public GatewayPolicy Read(YamlMapping main, IReadOnlyList<YamlEntry> topLevel)
    {
        var fields = Fields(topLevel, string.Empty, TopLevelKeys);
        var mainDirectory = Path.GetDirectoryName(main.Position.File) ?? string.Empty;

        var hostName = "invalid";
        if (TryGet(fields, "hostname", out var hostNode))
        {
            hostName = ReadDomain(hostNode, "hostname", requireFullyQualified: true) ?? hostName;
        }
        else
        {
            Error(main, "hostname is required");
        }

        var errorsBeforeDomains = _errors.Count;
        var domains = TryGet(fields, "domains", out var domainsNode) ? ReadDomains(domainsNode) : [];
        var domainsComplete = _errors.Count == errorsBeforeDomains;
        var trusted = TryGet(fields, "trusted_networks", out var trustedNode) ? ReadNetworks(trustedNode, "trusted_networks", relay: true) : [];
        var stateDirectory = TryGet(fields, "state_directory", out var stateNode)
            ? ReadPath(stateNode, "state_directory", PathKind.Directory) ?? mainDirectory
            : Path.Combine(mainDirectory, "var");

        IReadOnlyList<ListenerPolicy> listeners = [];
        if (TryGet(fields, "listeners", out var listenersNode))
        {
            listeners = ReadListeners(listenersNode);
        }
        else
        {
            Error(main, "listeners: at least one listener is required");
        }

        var tls = TryGet(fields, "tls", out var tlsNode) ? ReadTls(tlsNode) : new TlsPolicy();
        var errorsBeforeAuth = _errors.Count;
        var auth = TryGet(fields, "auth", out var authNode) ? ReadAuth(authNode) : new AuthPolicy();
        if (auth.CredentialsFile is null && _errors.Count == errorsBeforeAuth)
        {
            // Not when auth: itself was refused (a credentials file that does not exist): that error says it already.
            foreach (var (section, node) in _requireAuthNodes)
            {
                Error(node, $"{section}.require_auth: needs auth.credentials_file (without it no client can authenticate)");
            }
        }
        var relay = TryGet(fields, "relay", out var relayNode) ? ReadRelay(relayNode) : new RelayPolicy();
        var smtp = TryGet(fields, "smtp", out var smtpNode) ? ReadSmtp(smtpNode) : new SmtpPolicy();
        var limits = TryGet(fields, "limits", out var limitsNode) ? ReadLimits(limitsNode) : new LimitsPolicy();
        var admin = TryGet(fields, "admin", out var adminNode) ? ReadAdmin(adminNode) : new AdminPolicy();
        var logging = TryGet(fields, "logging", out var loggingNode) ? ReadLogging(loggingNode) : new LoggingPolicy();
        var delivery = TryGet(fields, "delivery", out var deliveryNode) ? ReadDelivery(deliveryNode, domains, domainsComplete) : new DeliveryPolicy();
        var dns = TryGet(fields, "dns", out var dnsNode) ? ReadDns(dnsNode) : new DnsPolicy();
        CheckPublishedTlsLevels(delivery.Tls, dns);
        YamlNode? authenticationNode = TryGet(fields, "authentication", out var authenticationValue) ? authenticationValue : null;
        var authentication = ReadAuthentication(authenticationNode, hostName, domains, domainsComplete);
        var mtaSts = TryGet(fields, "mta_sts", out var mtaStsNode) ? ReadMtaStsPublish(mtaStsNode) : new MtaStsPublishPolicy();
        var smime = TryGet(fields, "smime", out var smimeNode) ? ReadSmime(smimeNode, domains, domainsComplete) : new SmimePolicy();
        var spam = TryGet(fields, "spam", out var spamNode) ? ReadSpam(spamNode, domains, domainsComplete) : new SpamPolicy();
        var recipients = TryGet(fields, "recipients", out var recipientsNode) ? ReadRecipients(recipientsNode, domains, domainsComplete, delivery, limits) : new RecipientsPolicy();
        var rateLimits = TryGet(fields, "rate_limits", out var rateLimitsNode) ? ReadRateLimits(rateLimitsNode) : new RateLimitsPolicy();
        var greylisting = TryGet(fields, "greylisting", out var greylistingNode) ? ReadGreylisting(greylistingNode) : new GreylistingPolicy();
        var quarantine = TryGet(fields, "quarantine", out var quarantineNode) ? ReadQuarantine(quarantineNode) : new QuarantinePolicy();

        foreach (var listener in listeners)
        {
            if (listener.EndPoint.Equals(admin.Listen))
            {
                // Without admin.listen in the file the default collides; point at the admin section or the top.
                YamlNode at = _adminListenNode ?? (TryGet(fields, "admin", out var adminSection) ? adminSection : main);
                Error(at, $"admin.listen {admin.Listen} is also the address of listener '{listener.Name}'");
            }
        }

        return new GatewayPolicy
        {
            HostName = hostName,
            Domains = domains,
            TrustedNetworks = trusted,
            StateDirectory = stateDirectory,
            Listeners = listeners,
            Tls = tls,
            Auth = auth,
            Relay = relay,
            Smtp = smtp,
            Limits = limits,
            Admin = admin,
            Logging = logging,
            Delivery = delivery,
            Dns = dns,
            Authentication = authentication,
            MtaSts = mtaSts,
            Smime = smime,
            Spam = spam,
            Recipients = recipients,
            RateLimits = rateLimits,
            Greylisting = greylisting,
            Quarantine = quarantine,
            SourceFiles = _sourceFiles,
        };
    }

    private List<string> ReadDomains(YamlNode node)
    {
        var result = new List<string>();
        var seen = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in Items(node, "domains"))
        {
            var name = $"domains[{index++}]";
            var domain = ReadDomain(item, name, requireFullyQualified: false);
            if (domain is null)
            {
                continue;
            }

            if (seen.TryGetValue(domain, out var first))
            {
                Error(item, $"{name}: domain '{domain}' is listed twice (first at line {first.Position.Line}, column {first.Position.Column})");
                continue;
            }

            seen.Add(domain, item);
            result.Add(domain);
        }

        return result;
    }

    private List<ListenerPolicy> ReadListeners(YamlNode node)
    {
        var result = new List<ListenerPolicy>();
        var names = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var endPoints = new Dictionary<IPEndPoint, (string Name, YamlNode Node)>();
        var items = Items(node, "listeners");
        if (items.Count == 0 && node is YamlSequence)
        {
            Error(node, "listeners: at least one listener is required");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var section = $"listeners[{i}]";
            var item = items[i];
            var fields = Fields(item, section, ListenerKeys);
            if (fields is null)
            {
                continue;
            }

            string? name = null;
            if (TryGet(fields, "name", out var nameNode))
            {
                name = ReadString(nameNode, section + ".name");
                if (name is not null && (name.Length > 64 || name.Length == 0 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
                {
                    Error(nameNode, $"{section}.name: '{Echo.Of(name)}' must be 1-64 characters of a-z, 0-9 and '-'");
                    name = null;
                }
                else if (name is not null && !names.TryAdd(name, nameNode))
                {
                    var first = names[name].Position;
                    Error(nameNode, $"{section}.name: listener name '{name}' is already used (first at line {first.Line}, column {first.Column})");
                }
            }
            else
            {
                Error(item, $"{section}.name is required");
            }

            IPEndPoint? endPoint = null;
            if (TryGet(fields, "address", out var addressNode))
            {
                endPoint = ReadEndPoint(addressNode, section + ".address");
                if (endPoint is not null && !endPoints.TryAdd(endPoint, (name ?? section, addressNode)))
                {
                    var first = endPoints[endPoint];
                    Error(addressNode, $"{section}.address: {endPoint} is already used by listener '{first.Name}' (line {first.Node.Position.Line}, column {first.Node.Position.Column})");
                }
            }
            else
            {
                Error(item, $"{section}.address is required");
            }

            var tls = TryGet(fields, "tls", out var tlsNode) ? ReadEnum(tlsNode, section + ".tls", TlsModes, ListenerTls.StartTls) : ListenerTls.StartTls;
            var requireTls = TryGet(fields, "require_tls", out var requireTlsNode) && ReadBool(requireTlsNode, section + ".require_tls", false);
            if (requireTls && tls == ListenerTls.None)
            {
                // RFC 3207 4: requiring TLS on a listener that never offers it would refuse every MAIL.
                Error(requireTlsNode, $"{section}.require_tls: needs tls: starttls or implicit on this listener");
            }

            var auth = !TryGet(fields, "auth", out var authNode) || ReadBool(authNode, section + ".auth", true);
            var requireAuth = TryGet(fields, "require_auth", out var requireAuthNode) && ReadBool(requireAuthNode, section + ".require_auth", false);
            if (requireAuth && tls == ListenerTls.None)
            {
                // AUTH is offered only inside TLS (RFC 4954 4): without TLS every MAIL would be refused.
                Error(requireAuthNode, $"{section}.require_auth: needs tls: starttls or implicit on this listener (AUTH is offered only inside TLS)");
            }
            else if (requireAuth && !auth)
            {
                Error(requireAuthNode, $"{section}.require_auth: needs auth: true on this listener");
            }
            else if (requireAuth)
            {
                _requireAuthNodes.Add((section, requireAuthNode));
            }
            var proxy = TryGet(fields, "proxy_protocol", out var proxyNode)
                ? ReadEnum(proxyNode, section + ".proxy_protocol", ProxyModes, ListenerProxyProtocol.Off)
                : ListenerProxyProtocol.Off;
            var proxies = TryGet(fields, "trusted_proxies", out var proxiesNode) ? ReadNetworks(proxiesNode, section + ".trusted_proxies") : [];
            if (proxy != ListenerProxyProtocol.Off && proxies.Count == 0 && proxyNode is not null)
            {
                // Without a peer list anyone could claim any client address in a PROXY header.
                Error(proxyNode, $"{section}.proxy_protocol: needs a non-empty trusted_proxies list");
            }

            var pregreet = TryGet(fields, "pregreet_delay", out var pregreetNode)
                ? ReadDuration(pregreetNode, section + ".pregreet_delay", TimeSpan.Zero, MaxPregreetDelay, TimeSpan.Zero)
                : TimeSpan.Zero;
            var rejectEarly = !TryGet(fields, "reject_early_talkers", out var earlyNode) || ReadBool(earlyNode, section + ".reject_early_talkers", true);

            if (name is not null && endPoint is not null)
            {
                result.Add(new ListenerPolicy
                {
                    Name = name,
                    EndPoint = endPoint,
                    Tls = tls,
                    RequireTls = requireTls,
                    Auth = auth,
                    RequireAuth = requireAuth,
                    ProxyProtocol = proxy,
                    TrustedProxies = proxies,
                    PregreetDelay = pregreet,
                    RejectEarlyTalkers = rejectEarly,
                });
            }
        }

        return result;
    }

    private static PolicyPosition PositionOf(YamlNode node) => new(node.Position.File, node.Position.Line, node.Position.Column);

    private RelayPolicy ReadRelay(YamlNode node)
    {
        var fields = Fields(node, "relay", RelayKeys);
        var reject = !TryGet(fields, "reject_routing_local_parts", out var rejectNode)
            || ReadBool(rejectNode, "relay.reject_routing_local_parts", true);
        return new RelayPolicy { RejectRoutingLocalParts = reject };
    }

    private SmtpPolicy ReadSmtp(YamlNode node)
    {
        var fields = Fields(node, "smtp", SmtpKeys);
        var vrfy = !TryGet(fields, "vrfy", out var vrfyNode) || ReadEnum(vrfyNode, "smtp.vrfy", VrfyModes, true);
        return new SmtpPolicy { VrfyEnabled = vrfy };
    }

    private LimitsPolicy ReadLimits(YamlNode node)
    {
        var fields = Fields(node, "limits", LimitKeys);
        var defaults = new LimitsPolicy();
        int Int(string key, int min, int max, int fallback) =>
            TryGet(fields, key, out var n) ? ReadInt(n, "limits." + key, min, max, fallback) : fallback;

        return new LimitsPolicy
        {
            // RFC 5321 4.5.3.1.4: at least 512 octets per command line.
            CommandLineLength = Int("command_line", 512, 4096, defaults.CommandLineLength),

            // RFC 5321 4.5.3.1.6: at least 1000 octets per text line.
            TextLineLength = Int("text_line", 1000, 100_000, defaults.TextLineLength),

            // RFC 5321 4.5.3.1.3: at least 256 octets per path.
            PathLength = Int("path", 256, 4096, defaults.PathLength),

            // RFC 5321 4.5.3.1.8 asks for 100; fewer is allowed as a deliberate local restriction.
            Recipients = Int("recipients", 1, 100_000, defaults.Recipients),
            MessageSize = TryGet(fields, "message_size", out var sizeNode)
                ? ReadSize(sizeNode, "limits.message_size", 1024, 2L * 1024 * 1024 * 1024, defaults.MessageSize)
                : defaults.MessageSize,
            HeaderSection = TryGet(fields, "header_section", out var headerNode)
                ? (int)ReadSize(headerNode, "limits.header_section", 64 * 1024, 8 * 1024 * 1024, defaults.HeaderSection)
                : defaults.HeaderSection,
            MinDataRate = Int("min_data_rate", 0, 1_000_000, defaults.MinDataRate),
            MinDataRateGrace = TryGet(fields, "min_data_rate_grace", out var graceNode)
                ? ReadDuration(graceNode, "limits.min_data_rate_grace", MinTimeout, TimeSpan.FromMinutes(10), defaults.MinDataRateGrace)
                : defaults.MinDataRateGrace,
            Connections = Int("connections", 1, 100_000, defaults.Connections),
            ConnectionsPerIp = Int("connections_per_ip", 1, 100_000, defaults.ConnectionsPerIp),
            Errors = Int("errors", 1, 1000, defaults.Errors),
            Timeouts = TryGet(fields, "timeouts", out var timeoutsNode) ? ReadTimeouts(timeoutsNode) : defaults.Timeouts,
        };
    }

    private TimeoutsPolicy ReadTimeouts(YamlNode node)
    {
        var fields = Fields(node, "limits.timeouts", TimeoutKeys);
        var defaults = new TimeoutsPolicy();
        TimeSpan Duration(string key, TimeSpan max, TimeSpan fallback) =>
            TryGet(fields, key, out var n) ? ReadDuration(n, "limits.timeouts." + key, MinTimeout, max, fallback) : fallback;

        return new TimeoutsPolicy
        {
            Greeting = Duration("greeting", MaxTimeout, defaults.Greeting),
            Command = Duration("command", MaxTimeout, defaults.Command),
            DataBlock = Duration("data_block", MaxTimeout, defaults.DataBlock),
            DataTermination = Duration("data_termination", MaxTimeout, defaults.DataTermination),
            TlsHandshake = Duration("tls_handshake", MaxTimeout, defaults.TlsHandshake),
            Session = Duration("session", MaxSession, defaults.Session),
        };
    }

    private AdminPolicy ReadAdmin(YamlNode node)
    {
        var fields = Fields(node, "admin", AdminKeys);
        var defaults = new AdminPolicy();
        var listen = defaults.Listen;
        if (TryGet(fields, "listen", out var listenNode))
        {
            _adminListenNode = listenNode;
            listen = ReadEndPoint(listenNode, "admin.listen") ?? defaults.Listen;
        }

        var tokenFile = TryGet(fields, "token_file", out var tokenNode) ? ReadPath(tokenNode, "admin.token_file", PathKind.ExistingFile) : null;
        if (tokenFile is not null && tokenNode is not null && TokenProblem(tokenFile) is { } problem)
        {
            // Checked again at each request (the file may be replaced without a reload); here so that `gateway check`
            // says what every request would otherwise answer with a 403.
            Error(tokenNode, $"admin.token_file: {problem}");
        }

        return new AdminPolicy { Listen = listen, TokenFile = tokenFile };
    }

    private static string? TokenProblem(string file)
    {
        try
        {
            var length = new FileInfo(file).Length <= 4096 ? File.ReadAllText(file).Trim().Length : int.MaxValue;
            return length is >= AdminPolicy.MinTokenLength and < int.MaxValue ? null
                : length == int.MaxValue ? "the file is larger than 4 KiB; it should hold one token"
                : $"the token is shorter than {AdminPolicy.MinTokenLength} characters (e.g. `openssl rand -hex 32 > FILE`)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read: {e.Message}";
        }
    }

    private LoggingPolicy ReadLogging(YamlNode node)
    {
        var fields = Fields(node, "logging", LoggingKeys);
        return new LoggingPolicy
        {
            Format = TryGet(fields, "format", out var formatNode) ? ReadEnum(formatNode, "logging.format", LogFormats, LogFormat.Json) : LogFormat.Json,
            LogLevel = TryGet(fields, "level", out var levelNode) ? ReadEnum(levelNode, "logging.level", LogLevels, LogLevel.Information) : LogLevel.Information,
        };
    }

    // ---- structure ----

    private Dictionary<string, YamlNode>? Fields(YamlNode node, string section, string[] allowed)
    {
        if (node is not YamlMapping map)
        {
            Error(node, $"{section}: expected a mapping, found {node.Description}");
            return null;
        }

        return Fields(map.Entries, section, allowed);
    }

    private Dictionary<string, YamlNode> Fields(IEnumerable<YamlEntry> entries, string section, string[] allowed)
    {
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var key = entry.Key.Value;
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                // A typo must never silently disable a rule.
                var where = section.Length == 0 ? "at the top level" : $"in {section}";
                var hint = KeySuggestion.Closest(key, allowed);
                Error(entry.Key, hint is null ? $"unknown key '{Echo.Of(key)}' {where}" : $"unknown key '{Echo.Of(key)}' {where}; did you mean '{hint}'?");
                continue;
            }

            result[key] = entry.Value;
        }

        return result;
    }

    /// <summary>False when the key is absent or null (null means "use the default").</summary>
    private static bool TryGet(Dictionary<string, YamlNode>? fields, string key, out YamlNode node)
    {
        if (fields is not null && fields.TryGetValue(key, out var value) && value is not YamlScalar { IsNull: true })
        {
            node = value;
            return true;
        }

        node = null!;
        return false;
    }

    private IReadOnlyList<YamlNode> Items(YamlNode node, string name)
    {
        if (node is YamlSequence sequence)
        {
            return sequence.Items;
        }

        Error(node, $"{name}: expected a sequence, found {node.Description}");
        return [];
    }

    // ---- scalars ----

    private string? ReadString(YamlNode node, string name)
    {
        if (node is YamlScalar scalar && !scalar.IsNull)
        {
            if (scalar.Value.Any(char.IsControl))
            {
                Error(node, $"{name}: control characters are not allowed");
                return null;
            }

            return scalar.Value;
        }

        Error(node, $"{name}: expected a string, found {node.Description}");
        return null;
    }

    private bool ReadBool(YamlNode node, string name, bool fallback)
    {
        // YAML 1.2 core schema booleans only; yes/no/on/off are YAML 1.1 and read differently by different tools.
        if (node is YamlScalar { IsPlain: true } scalar)
        {
            switch (scalar.Value)
            {
                case "true" or "True" or "TRUE":
                    return true;
                case "false" or "False" or "FALSE":
                    return false;
            }
        }

        Error(node, $"{name}: expected true or false, found {node.Description}");
        return fallback;
    }

    private int ReadInt(YamlNode node, string name, int min, int max, int fallback)
    {
        if (node is YamlScalar { IsPlain: true } scalar
            && scalar.Value.Length > 0
            && (char.IsAsciiDigit(scalar.Value[0]) || scalar.Value[0] == '-')
            && scalar.Value.Skip(1).All(char.IsAsciiDigit)
            && scalar.Value != "-")
        {
            if (long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return (int)value;
            }

            Error(node, $"{name}: {Echo.Of(scalar.Value)} is out of range {min}..{max}");
            return fallback;
        }

        Error(node, $"{name}: expected an integer, found {node.Description}");
        return fallback;
    }

    private long ReadSize(YamlNode node, string name, long min, long max, long fallback)
    {
        var text = ReadString(node, name);
        if (text is null)
        {
            return fallback;
        }

        var problem = SizeParser.TryParse(text, out var value);
        if (problem is not null)
        {
            Error(node, $"{name}: {problem}");
            return fallback;
        }

        if (value < min || value > max)
        {
            Error(node, $"{name}: {Echo.Of(text)} is out of range {SizeParser.Describe(min)}..{SizeParser.Describe(max)}");
            return fallback;
        }

        return value;
    }

    private TimeSpan ReadDuration(YamlNode node, string name, TimeSpan min, TimeSpan max, TimeSpan fallback)
    {
        var text = ReadString(node, name);
        if (text is null)
        {
            return fallback;
        }

        var problem = DurationParser.TryParse(text, out var value);
        if (problem is not null)
        {
            Error(node, $"{name}: {problem}");
            return fallback;
        }

        if (value < min || value > max)
        {
            Error(node, $"{name}: {Echo.Of(text)} is out of range {DurationParser.Describe(min)}..{DurationParser.Describe(max)}");
            return fallback;
        }

        return value;
    }

    private T ReadEnum<T>(YamlNode node, string name, (string Name, T Value)[] allowed, T fallback)
    {
        var names = allowed.Select(a => a.Name).ToArray();
        if (node is YamlScalar scalar && !scalar.IsNull)
        {
            foreach (var (candidate, value) in allowed)
            {
                if (string.Equals(candidate, scalar.Value, StringComparison.Ordinal))
                {
                    return value;
                }
            }

            var hint = KeySuggestion.Closest(scalar.Value, names);
            var message = $"{name}: '{Echo.Of(scalar.Value)}' is not one of {string.Join(", ", names)}";
            Error(node, hint is null ? message : $"{message}; did you mean '{hint}'?");
            return fallback;
        }

        Error(node, $"{name}: expected one of {string.Join(", ", names)}, found {node.Description}");
        return fallback;
    }

    private string? ReadDomain(YamlNode node, string name, bool requireFullyQualified)
    {
        var text = ReadString(node, name);
        if (text is null)
        {
            return null;
        }

        var problem = DomainNameParser.TryCanonicalize(text, requireFullyQualified, out var canonical);
        if (problem is not null)
        {
            Error(node, $"{name}: {problem}");
            return null;
        }

        return canonical;
    }

    private IPEndPoint? ReadEndPoint(YamlNode node, string name)
    {
        var text = ReadString(node, name);
        if (text is null)
        {
            return null;
        }

        var problem = NetworkParser.TryParseEndPoint(text, out var endPoint);
        if (problem is not null)
        {
            Error(node, $"{name}: {problem}");
            return null;
        }

        return endPoint;
    }

    private List<IPNetwork> ReadNetworks(YamlNode node, string name, bool relay = false)
    {
        var result = new List<IPNetwork>();
        var index = 0;
        foreach (var item in Items(node, name))
        {
            var itemName = $"{name}[{index++}]";
            var text = ReadString(item, itemName);
            if (text is null)
            {
                continue;
            }

            var problem = NetworkParser.TryParseNetwork(text, out var network);
            if (problem is not null)
            {
                Error(item, $"{itemName}: {problem}");
                continue;
            }

            if (relay && NetworkParser.OpenRelayProblem(network) is { } open)
            {
                Error(item, $"{itemName}: {open}");
                continue;
            }

            result.Add(network);
        }

        return result;
    }

    private string? ReadPath(YamlNode node, string name, PathKind kind)
    {
        var text = ReadString(node, name);
        if (text is null)
        {
            return null;
        }

        if (text.Length == 0)
        {
            Error(node, $"{name}: path is empty");
            return null;
        }

        string full;
        try
        {
            // Relative paths resolve against the directory of the file that names them.
            full = Path.GetFullPath(text, Path.GetDirectoryName(node.Position.File) ?? string.Empty);
        }
        catch (ArgumentException)
        {
            Error(node, $"{name}: '{Echo.Of(text)}' is not a valid path");
            return null;
        }

        switch (kind)
        {
            case PathKind.ExistingFile when !File.Exists(full):
                Error(node, $"{name}: file '{full}' does not exist");
                return null;
            case PathKind.Directory when File.Exists(full):
                Error(node, $"{name}: '{full}' is a file, not a directory");
                return null;
            default:
                return full;
        }
    }

    private void Error(YamlNode node, string message) => _errors.Add(node.Position.Error(message));

    private enum PathKind
    {
        ExistingFile,
        Directory,
    }
}
