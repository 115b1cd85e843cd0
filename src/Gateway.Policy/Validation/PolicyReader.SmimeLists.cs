using System.Collections.ObjectModel;
using Gateway.Abstractions;
using Gateway.Policy.Yaml;

namespace Gateway.Policy.Validation;

internal sealed partial class PolicyReader
{
    /// <summary>smime.lists: list address → {members: [addresses]}; a list that fails validation is left out.</summary>
    private ReadOnlyDictionary<string, SmimeListPolicy> ReadSmimeLists(YamlNode node, OurDomains ours)
    {
        const string section = "smime.lists";
        var result = new Dictionary<string, SmimeListPolicy>(StringComparer.OrdinalIgnoreCase);
        if (node is not YamlMapping mapping)
        {
            Error(node, $"{section}: expected a mapping of list address to {{members: [addresses]}}");
            return result.AsReadOnly();
        }

        var seen = new Dictionary<string, YamlNode>(StringComparer.OrdinalIgnoreCase);
        var read = new List<(SmimeListPolicy List, List<YamlNode> MemberNodes)>();
        foreach (var entry in mapping.Entries)
        {
            var name = $"{section}.{Echo.Of(entry.Key.Value)}";
            var problem = AddressParser.TryParse(entry.Key.Value, out var address);
            if (problem is not null)
            {
                Error(entry.Key, $"{name}: {problem}");
                continue;
            }

            // The list's copy arrives encrypted for the list's key, which only our vault holds.
            if (!RequireOurs(entry.Key, name, address.Domain, entry.Key.Value, ours, "a list address receives mail for its key in our vault"))
            {
                continue;
            }

            if (!seen.TryAdd(address.ToString(), entry.Key))
            {
                var first = seen[address.ToString()].Position;
                Error(entry.Key, $"{name}: '{address}' is listed twice (first at line {first.Line}, column {first.Column})");
                continue;
            }

            if (ReadSmimeList(entry.Value, name, address) is { } list)
            {
                read.Add(list);
            }
        }

        foreach (var (list, memberNodes) in read)
        {
            // Lists do not nest: an expansion that fed another list could loop (a list in its own members, or two
            // lists naming each other) and would encrypt for a key the members never hold.
            var nested = false;
            for (var i = 0; i < list.Members.Count; i++)
            {
                if (seen.ContainsKey(list.Members[i].ToString()))
                {
                    Error(memberNodes[i], $"{section}.{list.Address}.members[{i}]: '{list.Members[i]}' is itself an encrypted list; lists do not nest");
                    nested = true;
                }
            }

            if (!nested)
            {
                result[list.Address.ToString()] = list;
            }
        }

        return result.AsReadOnly();
    }

    private (SmimeListPolicy List, List<YamlNode> MemberNodes)? ReadSmimeList(YamlNode node, string name, Mailbox address)
    {
        var fields = Fields(node, name, SmimeListKeys);
        if (fields is null)
        {
            return null;
        }

        if (!TryGet(fields, "members", out var membersNode))
        {
            Error(node, $"{name}.members is required (a list of addresses)");
            return null;
        }

        var members = new List<Mailbox>();
        var memberNodes = new List<YamlNode>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var items = Items(membersNode, name + ".members");
        var valid = true;
        for (var i = 0; i < items.Count; i++)
        {
            var itemName = $"{name}.members[{i}]";
            var text = ReadString(items[i], itemName);
            if (text is null)
            {
                valid = false;
                continue;
            }

            var problem = AddressParser.TryParse(text, out var member);
            if (problem is not null)
            {
                Error(items[i], $"{itemName}: {problem}");
                valid = false;
                continue;
            }

            if (!seen.Add(member.ToString()))
            {
                Error(items[i], $"{itemName}: '{member}' is listed twice");
                valid = false;
                continue;
            }

            members.Add(member);
            memberNodes.Add(items[i]);
        }

        if (valid && members.Count == 0)
        {
            Error(membersNode, $"{name}.members: a list needs at least one member");
            valid = false;
        }

        return valid ? (new SmimeListPolicy { Address = address, Members = members }, memberNodes) : null;
    }
}
