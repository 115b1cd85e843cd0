using System.Collections.ObjectModel;
using Gateway.Policy.Yaml;
using Gateway.Transport;
using Gateway.Transport.MtaSts;

namespace Gateway.Policy.Validation;

/// <summary>The delivery.tls: section, the TLS of route hosts, and mta_sts: (our own published policy).</summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] OutboundTlsKeys = ["level", "mta_sts", "dane", "destinations", "reporting"];
    private static readonly string[] DestinationTlsKeys = ["level", "match", "ca"];
    private static readonly string[] TlsReportingKeys = ["enabled", "organization", "contact"];
    private static readonly string[] MtaStsKeys = ["mode", "mx", "max_age", "listen", "report_to"];

    private static readonly (string Name, TlsLevel Value)[] TlsLevels =
    [
        ("none", TlsLevel.None), ("may", TlsLevel.May), ("encrypt", TlsLevel.Encrypt), ("verify", TlsLevel.Verify),
        ("dane", TlsLevel.Dane), ("dane-only", TlsLevel.DaneOnly), ("mta-sts", TlsLevel.MtaSts),
    ];

    // Levels an admin can pin for a route host: DANE and MTA-STS are published by a destination, not configured.
    private static readonly (string Name, TlsLevel Value)[] RouteTlsLevels =
        [("none", TlsLevel.None), ("may", TlsLevel.May), ("encrypt", TlsLevel.Encrypt), ("verify", TlsLevel.Verify)];

    private static readonly (string Name, MtaStsMode Value)[] MtaStsModes =
        [("enforce", MtaStsMode.Enforce), ("testing", MtaStsMode.Testing), ("none", MtaStsMode.None)];

    // RFC 8461 3.2: max_age is at most 31557600 seconds (about a year).
    private static readonly TimeSpan MaxMtaStsAge = TimeSpan.FromSeconds(31_557_600);

    private OutboundTlsPolicy ReadOutboundTls(YamlNode node)
    {
        const string section = "delivery.tls";
        var fields = Fields(node, section, OutboundTlsKeys);
        var defaults = new OutboundTlsPolicy();
        var level = defaults.Level;
        if (TryGet(fields, "level", out var levelNode))
        {
            level = ReadEnum(levelNode, section + ".level", TlsLevels, defaults.Level);
            NotePublishedTlsLevel(section + ".level", level, levelNode);
        }

        var mtaSts = TryGet(fields, "mta_sts", out var stsNode) ? ReadBool(stsNode, section + ".mta_sts", defaults.MtaSts) : defaults.MtaSts;
        var dane = TryGet(fields, "dane", out var daneNode) ? ReadBool(daneNode, section + ".dane", defaults.Dane) : defaults.Dane;
        var destinations = TryGet(fields, "destinations", out var destinationsNode)
            ? ReadTlsDestinations(destinationsNode, section + ".destinations")
            : defaults.Destinations;
        var reporting = TryGet(fields, "reporting", out var reportingNode) ? ReadTlsReporting(reportingNode, section + ".reporting") : defaults.Reporting;
        return new OutboundTlsPolicy { Level = level, MtaSts = mtaSts, Dane = dane, Destinations = destinations, Reporting = reporting };
    }

    private ReadOnlyDictionary<string, DestinationTlsSetting> ReadTlsDestinations(YamlNode node, string section) =>
        ReadDomainMap(node, section, "a mapping of destination domain to TLS level", (value, name) => ReadDestinationTls(value, name, TlsLevels));

    /// <summary>
    /// A mapping keyed by domain, canonical, where a key starting with "." stands for every subdomain; a key listed
    /// twice names both places. A value <paramref name="read"/> returns null for is left out (its error is reported), as is
    /// an entry whose canonical key <paramref name="acceptKey"/> refuses (after reporting it at the key).
    /// </summary>
    private ReadOnlyDictionary<string, T> ReadDomainMap<T>(
        YamlNode node, string section, string expected, Func<YamlNode, string, T?> read, Func<YamlNode, string, string, bool>? acceptKey = null)
    {
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        if (node is not YamlMapping mapping)
        {
            Error(node, $"{section}: expected {expected}");
            return result.AsReadOnly();
        }

        var seen = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var entry in mapping.Entries)
        {
            var keyText = entry.Key.Value;
            var parent = keyText.StartsWith('.');
            var name = $"{section}.{Echo.Of(keyText)}";
            var problem = DomainNameParser.TryCanonicalize(parent ? keyText[1..] : keyText, requireFullyQualified: false, out var canonical);
            if (problem is not null)
            {
                Error(entry.Key, $"{name}: {problem}");
                continue;
            }

            var key = parent ? "." + canonical : canonical;
            if (!seen.TryAdd(key, entry.Key))
            {
                var first = seen[key].Position;
                Error(entry.Key, $"{name}: '{key}' is listed twice (first at line {first.Line}, column {first.Column})");
                continue;
            }

            if (acceptKey is not null && !acceptKey(entry.Key, key, name))
            {
                continue;
            }

            if (read(entry.Value, name) is { } value)
            {
                result[key] = value;
            }
        }

        return result.AsReadOnly();
    }

    /// <summary>A level alone ("verify") or a mapping {level, match, ca}.</summary>
    private DestinationTlsSetting? ReadDestinationTls(YamlNode node, string name, (string Name, TlsLevel Value)[] levels)
    {
        if (node is YamlScalar)
        {
            var before = _errors.Count;
            var level = ReadEnum(node, name, levels, TlsLevel.May);
            if (_errors.Count != before)
            {
                return null;
            }

            NotePublishedTlsLevel(name, level, node);
            return new DestinationTlsSetting { Level = level };
        }

        var fields = Fields(node, name, DestinationTlsKeys);
        if (fields is null)
        {
            return null;
        }

        var errorsBefore = _errors.Count;
        var chosen = TlsLevel.May;
        var hasLevel = TryGet(fields, "level", out var levelNode);
        if (hasLevel)
        {
            chosen = ReadEnum(levelNode, name + ".level", levels, TlsLevel.May);
            NotePublishedTlsLevel(name + ".level", chosen, levelNode);
        }
        else
        {
            Error(node, $"{name}.level is required");
        }

        var match = new List<string>();
        if (TryGet(fields, "match", out var matchNode))
        {
            var index = 0;
            foreach (var item in Items(matchNode, name + ".match"))
            {
                if (ReadDomain(item, $"{name}.match[{index++}]", requireFullyQualified: false) is { } domain)
                {
                    match.Add(domain);
                }
            }
        }

        string? caFile = null;
        if (TryGet(fields, "ca", out var caNode))
        {
            caFile = ReadPath(caNode, name + ".ca", PathKind.ExistingFile);
            if (caFile is not null && CountPemCertificates(caFile) is { } problem)
            {
                Error(caNode, $"{name}.ca: {problem}");
                caFile = null;
            }
        }

        // match and ca only mean something where the certificate is verified against names and CAs.
        if (hasLevel && (match.Count > 0 || caFile is not null) && chosen != TlsLevel.Verify)
        {
            Error(node, $"{name}: match and ca apply to level verify only");
        }

        return _errors.Count == errorsBefore ? new DestinationTlsSetting { Level = chosen, Match = match, CaFile = caFile } : null;
    }

    /// <summary>Null when the file holds at least one PEM certificate, else what is wrong with it.</summary>
    private static string? CountPemCertificates(string path)
    {
        try
        {
            var certificates = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            certificates.ImportFromPemFile(path);
            var count = certificates.Count;
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }

            return count == 0 ? $"no PEM certificate in {path}" : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            return $"cannot read the CA certificates in {path}: {ex.Message}";
        }
    }

    private TlsReportingPolicy ReadTlsReporting(YamlNode node, string section)
    {
        var fields = Fields(node, section, TlsReportingKeys);
        var defaults = new TlsReportingPolicy();
        var enabled = TryGet(fields, "enabled", out var enabledNode) ? ReadBool(enabledNode, section + ".enabled", defaults.Enabled) : defaults.Enabled;
        var organization = TryGet(fields, "organization", out var orgNode) ? ReadString(orgNode, section + ".organization") : null;
        string? contact = null;
        if (TryGet(fields, "contact", out var contactNode))
        {
            contact = ReadAddress(contactNode, section + ".contact");
        }

        return new TlsReportingPolicy { Enabled = enabled, Organization = organization, Contact = contact };
    }

    private MtaStsPublishPolicy ReadMtaStsPublish(YamlNode node)
    {
        const string section = "mta_sts";
        var fields = Fields(node, section, MtaStsKeys);
        var defaults = new MtaStsPublishPolicy();
        var mode = TryGet(fields, "mode", out var modeNode) ? ReadEnum(modeNode, section + ".mode", MtaStsModes, defaults.Mode) : defaults.Mode;
        var mx = new List<string>();
        if (TryGet(fields, "mx", out var mxNode))
        {
            var index = 0;
            foreach (var item in Items(mxNode, section + ".mx"))
            {
                var name = $"{section}.mx[{index++}]";
                var text = ReadString(item, name);
                if (text is null)
                {
                    continue;
                }

                // RFC 8461 3.2: a pattern is a host name, or "*." and a host name (the wildcard is a whole leftmost label).
                var wildcard = text.StartsWith("*.", StringComparison.Ordinal);
                var problem = DomainNameParser.TryCanonicalize(wildcard ? text[2..] : text, requireFullyQualified: true, out var canonical);
                if (problem is not null)
                {
                    Error(item, $"{name}: {problem}");
                    continue;
                }

                mx.Add(wildcard ? "*." + canonical : canonical);
            }
        }

        var maxAge = TryGet(fields, "max_age", out var ageNode)
            ? ReadDuration(ageNode, section + ".max_age", TimeSpan.FromSeconds(1), MaxMtaStsAge, defaults.MaxAge)
            : defaults.MaxAge;
        var listen = TryGet(fields, "listen", out var listenNode) ? ReadEndPoint(listenNode, section + ".listen") : null;
        string? reportTo = null;
        if (TryGet(fields, "report_to", out var reportNode))
        {
            reportTo = ReadReportUri(reportNode, section + ".report_to");
        }

        return new MtaStsPublishPolicy { Mode = mode, Mx = mx, MaxAge = maxAge, Listen = listen, ReportTo = reportTo };
    }

    /// <summary>An RFC 8460 3 rua target: "mailto:address" or "https://..."; a bare address means mailto.</summary>
    private string? ReadReportUri(YamlNode node, string name)
    {
        var text = ReadString(node, name);
        if (text is null)
        {
            return null;
        }

        if (text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || text.Contains(',', StringComparison.Ordinal) || text.Contains(';', StringComparison.Ordinal))
            {
                Error(node, $"{name}: '{Echo.Of(text)}' is not a usable https URI");
                return null;
            }

            return uri.AbsoluteUri;
        }

        var address = text.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? text[7..] : text;
        var problem = AddressParser.TryParse(address, out _);
        if (problem is not null)
        {
            Error(node, $"{name}: {problem}");
            return null;
        }

        return "mailto:" + address;
    }

    private string? ReadAddress(YamlNode node, string name)
    {
        var text = ReadString(node, name);
        if (text is null)
        {
            return null;
        }

        var problem = AddressParser.TryParse(text, out _);
        if (problem is not null)
        {
            Error(node, $"{name}: {problem}");
            return null;
        }

        return text;
    }
}
