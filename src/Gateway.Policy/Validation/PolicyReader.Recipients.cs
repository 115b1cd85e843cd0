using Gateway.Policy.Yaml;

namespace Gateway.Policy.Validation;

internal sealed partial class PolicyReader
{
    private const string RecipientsSection = "recipients";
    private const long MaxRecipientFile = 64L * 1024 * 1024;
    private static readonly string[] RecipientDomainKeys = ["file"];

    private RecipientsPolicy ReadRecipients(YamlNode node, IReadOnlyList<string> domains, bool domainsComplete)
    {
        var lists = ReadDomainMap(node, RecipientsSection, "a mapping of our domain to {file: PATH}", (value, name) => ReadRecipientDomain(value, name, domains, domainsComplete));
        return new RecipientsPolicy { Domains = lists };
    }

    private RecipientList? ReadRecipientDomain(YamlNode node, string name, IReadOnlyList<string> domains, bool domainsComplete)
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
        if (!TryGet(fields, "file", out var fileNode))
        {
            Error(node, $"{name}.file is required (a file of addresses, one per line)");
            return null;
        }

        var path = ReadPath(fileNode, name + ".file", PathKind.ExistingFile);
        if (path is null)
        {
            return null;
        }

        // Watched like a policy file: an edited list applies as a policy reload does.
        _sourceFiles.Add(path);
        return ReadRecipientFile(fileNode, name + ".file", path, domain);
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
