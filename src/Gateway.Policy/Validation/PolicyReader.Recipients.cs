using Gateway.Policy.Yaml;

namespace Gateway.Policy.Validation;

internal sealed partial class PolicyReader
{
    private const string RecipientsSection = "recipients";
    private const long MaxRecipientFile = 64L * 1024 * 1024;
    private static readonly string[] RecipientDomainKeys = ["file", "ldap", "call_ahead", "max_message_size"];
    private static readonly string[] CallAheadKeys = ["timeout", "cache_found", "cache_not_found", "concurrency"];

    private RecipientsPolicy ReadRecipients(YamlNode node, IReadOnlyList<string> domains, bool domainsComplete, DeliveryPolicy delivery, LimitsPolicy limits)
    {
        var entries = ReadDomainMap(
            node,
            RecipientsSection,
            "a mapping of our domain to {file: PATH}, {ldap: {...}} or {call_ahead: {...}}, and max_message_size",
            (value, name) => ReadRecipientDomain(value, name, domains, domainsComplete, delivery, limits));
        return new RecipientsPolicy { Domains = entries };
    }

    private RecipientDomainPolicy? ReadRecipientDomain(
        YamlNode node, string name, IReadOnlyList<string> domains, bool domainsComplete, DeliveryPolicy delivery, LimitsPolicy limits)
    {
        var domainText = name[(RecipientsSection.Length + 1)..];
        if (domainText.StartsWith('.') || DomainNameParser.TryCanonicalize(domainText, requireFullyQualified: false, out var domain) is not null)
        {
            Error(node, $"{name}: one of our domains, written out (no \".\" for subdomains)");
            return null;
        }

        if (domainsComplete && !domains.Contains(domain, StringComparer.Ordinal))
        {
            Error(node, $"{name}: '{domain}' is not one of our domains");
            return null;
        }

        var fields = Fields(node, name, RecipientDomainKeys);
        if (fields is null)
        {
            return null;
        }

        var sources = RecipientDomainKeys[..3].Where(key => TryGet(fields, key, out _)).ToList();
        if (sources.Count > 1)
        {
            Error(node, $"{name}: {string.Join(" and ", sources)} are alternatives; name one source of addresses");
            return null;
        }

        if (sources.Count == 0 && !TryGet(fields, "max_message_size", out _))
        {
            Error(node, $"{name}: expected file, ldap or call_ahead (the source of its addresses), or max_message_size");
            return null;
        }

        var before = _errors.Count;
        var entry = new RecipientDomainPolicy();
        if (TryGet(fields, "file", out var fileNode))
        {
            entry = entry with { List = ReadRecipientList(fileNode, name + ".file", domain) };
        }
        else if (TryGet(fields, "ldap", out var ldapNode))
        {
            entry = entry with { Ldap = ReadLdap(ldapNode, name + ".ldap") };
        }
        else if (TryGet(fields, "call_ahead", out var callAheadNode))
        {
            entry = entry with { CallAhead = ReadCallAhead(callAheadNode, name + ".call_ahead", domain, delivery) };
        }

        if (TryGet(fields, "max_message_size", out var sizeNode))
        {
            // Larger than the limit every message meets already would promise what the gateway never accepts.
            entry = entry with { MaxMessageSize = ReadSize(sizeNode, name + ".max_message_size", 1024, limits.MessageSize, limits.MessageSize) };
        }

        return _errors.Count == before ? entry : null;
    }

    private RecipientList? ReadRecipientList(YamlNode fileNode, string name, string domain)
    {
        var path = ReadPath(fileNode, name, PathKind.ExistingFile);
        if (path is null)
        {
            return null;
        }

        // Watched like a policy file: an edited list applies as a policy reload does.
        _sourceFiles.Add(path);
        return ReadRecipientFile(fileNode, name, path, domain);
    }

    private CallAheadPolicy? ReadCallAhead(YamlNode node, string name, string domain, DeliveryPolicy delivery)
    {
        var fields = Fields(node, name, CallAheadKeys);
        if (fields is null)
        {
            return null;
        }

        // The internal server is the one inbound delivery goes to: without a route there is nobody to ask.
        if (!delivery.Routes.ContainsKey(domain) && !delivery.Routes.ContainsKey("*"))
        {
            Error(node, $"{name}: delivery.routes has no route for {domain} (nor \"*\"): call-ahead asks the internal server of that route");
            return null;
        }

        var defaults = new CallAheadPolicy();
        return new CallAheadPolicy
        {
            Timeout = TryGet(fields, "timeout", out var timeoutNode)
                ? ReadDuration(timeoutNode, name + ".timeout", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), defaults.Timeout)
                : defaults.Timeout,
            CacheFound = TryGet(fields, "cache_found", out var foundNode)
                ? ReadDuration(foundNode, name + ".cache_found", TimeSpan.Zero, TimeSpan.FromDays(7), defaults.CacheFound)
                : defaults.CacheFound,
            CacheNotFound = TryGet(fields, "cache_not_found", out var notFoundNode)
                ? ReadDuration(notFoundNode, name + ".cache_not_found", TimeSpan.Zero, TimeSpan.FromDays(1), defaults.CacheNotFound)
                : defaults.CacheNotFound,
            Concurrency = TryGet(fields, "concurrency", out var concurrencyNode)
                ? ReadInt(concurrencyNode, name + ".concurrency", 1, 100, defaults.Concurrency)
                : defaults.Concurrency,
        };
    }

    /// <summary>One address per line, "#" starts a comment; every address must be in <paramref name="domain"/>.</summary>
    private RecipientList? ReadRecipientFile(YamlNode fileNode, string name, string path, string domain)
    {
        string[] lines;
        try
        {
            if (new FileInfo(path).Length > MaxRecipientFile)
            {
                Error(fileNode, $"{name}: '{path}' is larger than {MaxRecipientFile / 1024 / 1024} MiB");
                return null;
            }

            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(fileNode, $"{name}: {e.Message}");
            return null;
        }

        var localParts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var valid = true;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var comment = line.IndexOf('#', StringComparison.Ordinal);
            var text = (comment >= 0 ? line[..comment] : line).Trim();
            if (text.Length == 0)
            {
                continue;
            }

            var column = line.IndexOf(text, StringComparison.Ordinal) + 1;
            var problem = AddressParser.TryParse(text, out var address);
            if (problem is null && !address.Domain.Equals(domain, StringComparison.Ordinal))
            {
                problem = $"'{Echo.Of(text)}' is not in {domain}";
            }

            if (problem is not null)
            {
                _errors.Add(new PolicyError(path, i + 1, column, problem));
                valid = false;
                continue;
            }

            localParts.Add(address.LocalPart);
        }

        return valid ? new RecipientList(path, localParts) : null;
    }
}
