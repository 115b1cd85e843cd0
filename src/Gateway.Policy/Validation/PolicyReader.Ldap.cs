using Gateway.Policy.Yaml;

namespace Gateway.Policy.Validation;

internal sealed partial class PolicyReader
{
    private static readonly string[] LdapKeys = ["servers", "base_dn", "bind_dn", "bind_password_file", "filter", "timeout", "cache_found", "cache_not_found"];

    /// <summary>An LDAP directory (servers, base_dn, bind, filter, timeout, cache); the same keys wherever one is named.</summary>
    private LdapPolicy? ReadLdap(YamlNode node, string section)
    {
        var fields = Fields(node, section, LdapKeys);
        if (fields is null)
        {
            return null;
        }

        var defaults = new LdapPolicy { Servers = [], BaseDn = string.Empty };
        var servers = new List<Uri>();
        if (TryGet(fields, "servers", out var serversNode))
        {
            var items = Items(serversNode, section + ".servers");
            for (var i = 0; i < items.Count; i++)
            {
                var name = $"{section}.servers[{i}]";
                if (ReadString(items[i], name) is not { } text)
                {
                    continue;
                }

                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "ldap" or "ldaps" && uri.Host.Length > 0
                    && uri.AbsolutePath is "" or "/" && uri.Query.Length == 0)
                {
                    servers.Add(uri);
                }
                else
                {
                    Error(items[i], $"{name}: '{Echo.Of(text)}' is not an ldap://host[:port] or ldaps://host[:port] URI");
                }
            }

            if (items.Count == 0)
            {
                Error(serversNode, $"{section}.servers: at least one server is required");
            }
        }
        else
        {
            Error(node, $"{section}.servers is required");
        }

        string? baseDn = null;
        if (TryGet(fields, "base_dn", out var baseNode))
        {
            baseDn = ReadString(baseNode, section + ".base_dn");
            if (baseDn is { Length: 0 })
            {
                Error(baseNode, $"{section}.base_dn: must not be empty");
                baseDn = null;
            }
        }
        else
        {
            Error(node, $"{section}.base_dn is required");
        }

        var bindDn = TryGet(fields, "bind_dn", out var bindNode) ? ReadString(bindNode, section + ".bind_dn") : null;
        var passwordFile = TryGet(fields, "bind_password_file", out var passwordNode)
            ? ReadPath(passwordNode, section + ".bind_password_file", PathKind.ExistingFile)
            : null;
        if ((bindDn is null) != (passwordFile is null) && (bindNode ?? passwordNode) is { } lonely)
        {
            Error(lonely, $"{section}: bind_dn and bind_password_file go together (neither = anonymous bind)");
        }

        var filter = defaults.Filter;
        if (TryGet(fields, "filter", out var filterNode) && ReadString(filterNode, section + ".filter") is { } text2)
        {
            if (!text2.Contains("{0}", StringComparison.Ordinal) || !text2.StartsWith('(') || !text2.EndsWith(')'))
            {
                Error(filterNode, $"{section}.filter: expected an LDAP filter in parentheses with {{0}} for the address, e.g. (mail={{0}})");
            }
            else
            {
                filter = text2;
            }
        }

        var timeout = TryGet(fields, "timeout", out var timeoutNode)
            ? ReadDuration(timeoutNode, section + ".timeout", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(60), defaults.Timeout)
            : defaults.Timeout;
        var found = TryGet(fields, "cache_found", out var foundNode)
            ? ReadDuration(foundNode, section + ".cache_found", TimeSpan.Zero, TimeSpan.FromDays(7), defaults.CacheFound)
            : defaults.CacheFound;
        var notFound = TryGet(fields, "cache_not_found", out var notFoundNode)
            ? ReadDuration(notFoundNode, section + ".cache_not_found", TimeSpan.Zero, TimeSpan.FromDays(1), defaults.CacheNotFound)
            : defaults.CacheNotFound;
        if (servers.Count == 0 || baseDn is null)
        {
            return null;
        }

        return new LdapPolicy
        {
            Servers = servers,
            BaseDn = baseDn,
            BindDn = passwordFile is null ? null : bindDn,
            BindPasswordFile = bindDn is null ? null : passwordFile,
            Filter = filter,
            Timeout = timeout,
            CacheFound = found,
            CacheNotFound = notFound,
        };
    }
}
