using System.Globalization;
using System.Net;
using Gateway.Policy.Yaml;
using Gateway.Syntax;

namespace Gateway.Policy.Validation;

/// <summary>spam.dnsbl, spam.domain_lists, spam.uri_lists, spam.client_checks, spam.reject_score, spam.lookup_timeout.</summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] DnsListKeys = ["zone", "weight", "codes", "mask", "name"];
    private static readonly string[] DomainListKeys = ["zone", "weight", "codes", "mask", "name", "check"];
    private static readonly string[] ClientCheckKeys = ["no_fcrdns", "helo_invalid", "helo_is_ours", "helo_literal_mismatch", "pipelining"];

    private static readonly (string Name, DomainListSubjects Value)[] DomainListChecks =
        [("sender", DomainListSubjects.Sender), ("helo", DomainListSubjects.Helo)];

    private static readonly IPNetwork ListingNetwork = IPNetwork.Parse("127.0.0.0/8");
    private static readonly TimeSpan MinLookupTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxLookupTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The list and client-check settings of spam:, as a policy the caller completes.</summary>
    private SpamPolicy ReadSpamLists(Dictionary<string, YamlNode>? fields)
    {
        // One namespace for the names of every list's hits: X-Spam-Status must tell them apart.
        var names = new Dictionary<string, YamlNode>(StringComparer.OrdinalIgnoreCase);
        return new SpamPolicy
        {
            AddressLists = TryGet(fields, "dnsbl", out var dnsbl) ? ReadDnsLists(dnsbl, "spam.dnsbl", DnsListKeys, null, names) : [],
            DomainLists = TryGet(fields, "domain_lists", out var domains) ? ReadDnsLists(domains, "spam.domain_lists", DomainListKeys, "RHSBL_", names) : [],
            UriLists = TryGet(fields, "uri_lists", out var uris) ? ReadDnsLists(uris, "spam.uri_lists", DnsListKeys, "URIBL_", names) : [],
            ClientChecks = TryGet(fields, "client_checks", out var checks) ? ReadClientChecks(checks) : new ClientCheckScores(),
            RejectScore = TryGet(fields, "reject_score", out var reject) ? ReadNumber(reject, "spam.reject_score", 0, MaxSpamScore, 0) : 0,
            LookupTimeout = TryGet(fields, "lookup_timeout", out var timeout)
                ? ReadDuration(timeout, "spam.lookup_timeout", MinLookupTimeout, MaxLookupTimeout, new SpamPolicy().LookupTimeout)
                : new SpamPolicy().LookupTimeout,
        };
    }

    /// <summary>One kind of list; <c>prefix</c> starts the default names (null for address lists: DNSBL_ or DNSWL_ by the weight's sign).</summary>
    private List<DnsListPolicy> ReadDnsLists(YamlNode node, string section, string[] keys, string? prefix, Dictionary<string, YamlNode> names)
    {
        var lists = new List<DnsListPolicy>();
        var items = Items(node, section);
        for (var i = 0; i < items.Count; i++)
        {
            var name = $"{section}[{i}]";
            var fields = Fields(items[i], name, keys);
            if (fields is null)
            {
                continue;
            }

            string? zone = null;
            if (RequiredSpamRuleField(fields, items[i], name, "zone") is { } zoneNode)
            {
                zone = ReadDomain(zoneNode, name + ".zone", requireFullyQualified: true);
            }

            double? weight = null;
            if (RequiredSpamRuleField(fields, items[i], name, "weight") is { } weightNode)
            {
                weight = ReadNumber(weightNode, name + ".weight", -MaxSpamScore, MaxSpamScore, double.NaN);
                if (weight == 0)
                {
                    Error(weightNode, $"{name}.weight: 0 would make the list count for nothing; remove the entry instead");
                    weight = double.NaN;
                }
            }

            var codes = TryGet(fields, "codes", out var codesNode) ? ReadListingCodes(codesNode, name + ".codes") : [];
            var mask = TryGet(fields, "mask", out var maskNode) ? ReadMask(maskNode, name + ".mask") : (byte)0;
            var check = TryGet(fields, "check", out var checkNode) ? ReadDomainListChecks(checkNode, name + ".check") : DomainListSubjects.Sender | DomainListSubjects.Helo;
            if (zone is null || weight is not { } w || double.IsNaN(w))
            {
                continue;
            }

            var hitName = TryGet(fields, "name", out var nameNode)
                ? ReadSpamRuleName(nameNode, name + ".name", names)
                : UniqueDefaultName((prefix ?? (w > 0 ? "DNSBL_" : "DNSWL_")) + zone, items[i], name, names);
            if (hitName is not null && check != DomainListSubjects.None)
            {
                lists.Add(new DnsListPolicy { Name = hitName, Zone = zone, Weight = w, Codes = codes, Mask = mask, Check = check });
            }
        }

        return lists;
    }

    /// <summary>The zone-derived name, which two entries for one zone (different codes, different weights) would share.</summary>
    private string? UniqueDefaultName(string text, YamlNode entry, string section, Dictionary<string, YamlNode> names)
    {
        if (names.TryAdd(text, entry))
        {
            return text;
        }

        var first = names[text].Position;
        Error(entry, $"{section}: '{text}' is already the name of the entry at line {first.Line}, column {first.Column}; give one of them a name:");
        return null;
    }

    /// <summary>RFC 5782 2.3: listings are A records in 127.0.0.0/8, so a code elsewhere could never match.</summary>
    private List<IPAddress> ReadListingCodes(YamlNode node, string name)
    {
        var codes = new List<IPAddress>();
        var items = Items(node, name);
        for (var i = 0; i < items.Count; i++)
        {
            var itemName = $"{name}[{i}]";
            if (ReadString(items[i], itemName) is not { } text)
            {
                continue;
            }

            if (!IPAddressText.TryParseIPv4(text, out var code))
            {
                Error(items[i], $"{itemName}: '{Echo.Of(text)}' is not an IPv4 address such as 127.0.0.2");
            }
            else if (!ListingNetwork.Contains(code))
            {
                Error(items[i], $"{itemName}: {text} is outside 127.0.0.0/8, where lists answer (RFC 5782 2.3)");
            }
            else
            {
                codes.Add(code);
            }
        }

        return codes;
    }

    /// <summary>A bitmask over the answer's last octet, decimal or 0x hex (multi zones document theirs in hex).</summary>
    private byte ReadMask(YamlNode node, string name)
    {
        if (node is YamlScalar { IsPlain: true } scalar)
        {
            var text = scalar.Value;
            var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            if (int.TryParse(hex ? text[2..] : text, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                && value is >= 1 and <= 255)
            {
                return (byte)value;
            }
        }

        Error(node, $"{name}: expected a bitmask of the answer's last octet, 1..255 or 0x01..0xff, found {node.Description}");
        return 0;
    }

    private DomainListSubjects ReadDomainListChecks(YamlNode node, string name)
    {
        var subjects = DomainListSubjects.None;
        var items = Items(node, name);
        for (var i = 0; i < items.Count; i++)
        {
            subjects |= ReadEnum(items[i], $"{name}[{i}]", DomainListChecks, DomainListSubjects.None);
        }

        if (items.Count == 0)
        {
            Error(node, $"{name}: name at least one of sender, helo");
        }

        return subjects;
    }

    private ClientCheckScores ReadClientChecks(YamlNode node)
    {
        var fields = Fields(node, "spam.client_checks", ClientCheckKeys);
        double Score(string key) =>
            TryGet(fields, key, out var value) ? ReadNumber(value, "spam.client_checks." + key, -MaxSpamScore, MaxSpamScore, 0) : 0;

        return new ClientCheckScores
        {
            NoFcrdns = Score("no_fcrdns"),
            HeloInvalid = Score("helo_invalid"),
            HeloIsOurs = Score("helo_is_ours"),
            HeloLiteralMismatch = Score("helo_literal_mismatch"),
            Pipelining = Score("pipelining"),
        };
    }
}
