using Gateway.Dns;
using YamlDotNet.RepresentationModel;

namespace Gateway.Authentication.Tests.Spf;

/// <summary>
/// The openspf RFC 7208 test suite (shared/testdata/spf/rfc7208-tests.yml), read in place: a YAML stream of
/// documents, each a zone and the tests run against it. The zone goes into an <see cref="InMemoryDnsResolver"/>
/// the way the suite's own drivers load it: TXT records as given ("NONE" meaning none); where a name has no TXT
/// entry at all, its SPF-type records are served as TXT (the suite's "auto-magic duplication"); TIMEOUT makes
/// every record type the name has no records of time out.
/// </summary>
internal static class Rfc7208Suite
{
    private static readonly Lazy<IReadOnlyDictionary<string, SuiteCase>> LoadedCases = new(Load);

    public static IReadOnlyDictionary<string, SuiteCase> Cases => LoadedCases.Value;

    public static string FilePath
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "testdata", "spf", "rfc7208-tests.yml");
                if (File.Exists(candidate))
                {
                    return candidate;
                }

                dir = dir.Parent;
            }

            throw new FileNotFoundException("shared/testdata/spf/rfc7208-tests.yml not found above " + AppContext.BaseDirectory);
        }
    }

    private static Dictionary<string, SuiteCase> Load()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(FilePath))
        {
            stream.Load(reader);
        }

        var cases = new Dictionary<string, SuiteCase>(StringComparer.Ordinal);
        foreach (var document in stream.Documents)
        {
            var root = (YamlMappingNode)document.RootNode;
            var description = Scalar(root, "description") ?? "?";
            var zone = Zone((YamlMappingNode)root.Children[new YamlScalarNode("zonedata")]);
            foreach (var (key, value) in (YamlMappingNode)root.Children[new YamlScalarNode("tests")])
            {
                var name = ((YamlScalarNode)key).Value!;
                var test = (YamlMappingNode)value;
                var result = test.Children[new YamlScalarNode("result")];
                var results = result is YamlSequenceNode list
                    ? list.Children.Select(n => ((YamlScalarNode)n).Value!).ToArray()
                    : [((YamlScalarNode)result).Value!];
                var id = $"{description} / {name}";
                cases.Add(id, new SuiteCase(
                    id,
                    Scalar(test, "helo") ?? string.Empty,
                    Scalar(test, "host")!,
                    Scalar(test, "mailfrom") ?? string.Empty,
                    results,
                    Scalar(test, "explanation"),
                    zone));
            }
        }

        return cases;
    }

    private static InMemoryDnsResolver Zone(YamlMappingNode zonedata)
    {
        var dns = new InMemoryDnsResolver();
        foreach (var (key, value) in zonedata)
        {
            var name = ((YamlScalarNode)key).Value!;
            var entries = ((YamlSequenceNode)value).Children;
            var hasTxt = entries.OfType<YamlMappingNode>().Any(e => Type(e) == "TXT");
            var timeout = entries.OfType<YamlScalarNode>().Any(e => e.Value == "TIMEOUT");
            var present = new HashSet<DnsRecordType>();
            foreach (var entry in entries.OfType<YamlMappingNode>())
            {
                var (_, data) = entry.Children.Single();
                switch (Type(entry))
                {
                    case "A":
                        dns.AddA(name, ((YamlScalarNode)data).Value!);
                        present.Add(DnsRecordType.A);
                        break;
                    case "AAAA":
                        dns.AddA(name, ((YamlScalarNode)data).Value!);
                        present.Add(DnsRecordType.Aaaa);
                        break;
                    case "MX":
                        var mx = (YamlSequenceNode)data;
                        dns.AddMx(name, int.Parse(((YamlScalarNode)mx.Children[0]).Value!, System.Globalization.CultureInfo.InvariantCulture), ((YamlScalarNode)mx.Children[1]).Value!);
                        present.Add(DnsRecordType.Mx);
                        break;
                    case "PTR":
                        dns.AddPtr(name, ((YamlScalarNode)data).Value!);
                        present.Add(DnsRecordType.Ptr);
                        break;
                    case "CNAME":
                        dns.AddCname(name, ((YamlScalarNode)data).Value!);
                        break;
                    case "TXT":
                        AddText(dns, name, data, present);
                        break;
                    case "SPF" when !hasTxt:
                        // RFC 7208 3.1: type SPF is no longer asked; the suite expects it served as TXT.
                        AddText(dns, name, data, present);
                        break;
                }
            }

            if (timeout)
            {
                foreach (var type in Enum.GetValues<DnsRecordType>())
                {
                    if (!present.Contains(type))
                    {
                        dns.SetStatus(name, type, Gateway.Abstractions.DnsStatus.Timeout);
                    }
                }
            }
        }

        return dns;
    }

    private static void AddText(InMemoryDnsResolver dns, string name, YamlNode data, HashSet<DnsRecordType> present)
    {
        if (data is YamlScalarNode { Value: "NONE" })
        {
            return;
        }

        var strings = data is YamlSequenceNode list
            ? list.Children.Select(n => ((YamlScalarNode)n).Value!).ToArray()
            : [((YamlScalarNode)data).Value!];
        dns.AddTxtStrings(name, strings);
        present.Add(DnsRecordType.Txt);
    }

    private static string Type(YamlMappingNode entry) => ((YamlScalarNode)entry.Children.Single().Key).Value!;

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    internal sealed record SuiteCase(string Id, string Helo, string Host, string MailFrom, string[] Results, string? Explanation, InMemoryDnsResolver Dns);
}
