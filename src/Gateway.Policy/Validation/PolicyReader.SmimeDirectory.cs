using Gateway.Policy.Yaml;

namespace Gateway.Policy.Validation;

internal sealed partial class PolicyReader
{
    private SmimeDirectoryPolicy ReadSmimeDirectory(YamlNode node)
    {
        var fields = Fields(node, "smime.directory", SmimeDirectoryKeys);
        return new SmimeDirectoryPolicy
        {
            Ldap = TryGet(fields, "ldap", out var ldapNode) ? ReadLdap(ldapNode, "smime.directory.ldap") : null,
        };
    }
}
