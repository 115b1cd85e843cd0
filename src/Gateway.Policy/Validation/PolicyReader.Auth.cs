using Gateway.Abstractions;
using Gateway.Policy.Yaml;

namespace Gateway.Policy.Validation;

/// <summary>The auth: section: credentials, relay rights and which sender addresses each login owns.</summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] AuthKeys = ["credentials_file", "allow_relay", "senders"];

    private AuthPolicy ReadAuth(YamlNode node)
    {
        var fields = Fields(node, "auth", AuthKeys);
        string? credentials = null;
        if (TryGet(fields, "credentials_file", out var credentialsNode))
        {
            credentials = ReadPath(credentialsNode, "auth.credentials_file", PathKind.ExistingFile);
            if (credentials is not null)
            {
                // Validate it now so a broken credentials file is reported with the policy and never goes live.
                var (_, errors) = CredentialsFile.Load(credentials);
                _errors.AddRange(errors);
                _sourceFiles.Add(credentials);
            }
        }

        var allowRelay = !TryGet(fields, "allow_relay", out var relayNode) || ReadBool(relayNode, "auth.allow_relay", true);
        var senders = TryGet(fields, "senders", out var sendersNode)
            ? ReadSenders(sendersNode)
            : new Dictionary<string, IReadOnlyList<SenderPattern>>(StringComparer.Ordinal);
        return new AuthPolicy { CredentialsFile = credentials, AllowRelay = allowRelay, Senders = senders };
    }

    private Dictionary<string, IReadOnlyList<SenderPattern>> ReadSenders(YamlNode node)
    {
        var result = new Dictionary<string, IReadOnlyList<SenderPattern>>(StringComparer.Ordinal);
        if (node is not YamlMapping map)
        {
            Error(node, $"auth.senders: expected a mapping of login to sender addresses, found {node.Description}");
            return result;
        }

        foreach (var entry in map.Entries)
        {
            var login = entry.Key.Value;
            var section = $"auth.senders.{Echo.Of(login)}";
            if (login.Length == 0 || login.Any(char.IsControl))
            {
                Error(entry.Key, "auth.senders: a login must be a non-empty name without control characters");
                continue;
            }

            var patterns = new List<SenderPattern>();
            foreach (var item in Items(entry.Value, section))
            {
                if (ReadSenderPattern(item, section) is { } pattern)
                {
                    patterns.Add(pattern);
                }
            }

            result[login] = patterns;
        }

        return result;
    }

    private SenderPattern? ReadSenderPattern(YamlNode node, string section)
    {
        var text = ReadString(node, section);
        if (text is null)
        {
            return null;
        }

        if (text == Wildcard)
        {
            return SenderPattern.Any;
        }

        if (text.StartsWith('@'))
        {
            var problem = DomainNameParser.TryCanonicalize(text[1..], requireFullyQualified: false, out var domain);
            if (problem is not null)
            {
                Error(node, $"{section}: {problem}");
                return null;
            }

            return new SenderPattern(null, domain);
        }

        var addressProblem = AddressParser.TryParse(text, out Mailbox address);
        if (addressProblem is not null)
        {
            Error(node, $"{section}: {addressProblem}; write an address, \"@domain\" for every address of a domain, or \"*\" for any");
            return null;
        }

        return new SenderPattern(address.LocalPart, address.Domain);
    }
}
