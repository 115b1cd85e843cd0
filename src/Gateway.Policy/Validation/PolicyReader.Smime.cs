using Gateway.Policy.Yaml;

namespace Gateway.Policy.Validation;

internal sealed partial class PolicyReader
{
    private static readonly string[] SmimeKeys = ["vault", "sign", "encrypt", "decrypt", "verify", "directory", "lists"];
    private static readonly string[] SmimeDirectoryKeys = ["ldap"];
    private static readonly string[] SmimeVaultKeys = ["unseal_key_file", "pkcs11"];
    private static readonly string[] SmimePkcs11Keys = ["module", "token", "key", "pin_file"];
    private static readonly string[] SmimeSignKeys = ["senders", "form", "missing_key"];
    private static readonly string[] SmimeEncryptKeys = ["default", "domains"];
    private static readonly string[] SmimeVerifyKeys = ["enabled", "trust_anchors", "harvest"];
    private static readonly string[] SmimeListKeys = ["members"];

    private static readonly (string Name, bool Value)[] SignatureForms = [("detached", false), ("opaque", true)];

    private static readonly (string Name, SmimeMissingKeyAction Value)[] MissingKeyActions =
        [("reject", SmimeMissingKeyAction.Reject), ("defer", SmimeMissingKeyAction.Defer), ("send_unsigned", SmimeMissingKeyAction.SendUnsigned)];

    private static readonly (string Name, SmimeEncryptMode Value)[] EncryptModes =
        [("never", SmimeEncryptMode.Never), ("when_known", SmimeEncryptMode.WhenKnown), ("required", SmimeEncryptMode.Required)];

    private SmimePolicy ReadSmime(YamlNode node, IReadOnlyList<string> domains, bool domainsComplete)
    {
        var fields = Fields(node, "smime", SmimeKeys);
        var defaults = new SmimePolicy();
        return new SmimePolicy
        {
            Enabled = true,
            Vault = TryGet(fields, "vault", out var vaultNode) ? ReadSmimeVault(vaultNode) : defaults.Vault,
            Sign = TryGet(fields, "sign", out var signNode) ? ReadSmimeSign(signNode) : defaults.Sign,
            Encrypt = TryGet(fields, "encrypt", out var encryptNode) ? ReadSmimeEncrypt(encryptNode) : defaults.Encrypt,
            Decrypt = !TryGet(fields, "decrypt", out var decryptNode) || ReadBool(decryptNode, "smime.decrypt", true),
            Verify = TryGet(fields, "verify", out var verifyNode) ? ReadSmimeVerify(verifyNode) : defaults.Verify,
            Directory = TryGet(fields, "directory", out var directoryNode) ? ReadSmimeDirectory(directoryNode) : defaults.Directory,
            Lists = TryGet(fields, "lists", out var listsNode) ? ReadSmimeLists(listsNode, new OurDomains(domains, domainsComplete)) : defaults.Lists,
        };
    }

    private SmimeVaultPolicy ReadSmimeVault(YamlNode node)
    {
        var fields = Fields(node, "smime.vault", SmimeVaultKeys);
        return new SmimeVaultPolicy
        {
            UnsealKeyFile = TryGet(fields, "unseal_key_file", out var fileNode)
                ? ReadPath(fileNode, "smime.vault.unseal_key_file", PathKind.ExistingFile)
                : null,
            Pkcs11 = TryGet(fields, "pkcs11", out var tokenNode) ? ReadSmimePkcs11(tokenNode) : null,
        };
    }

    private SmimePkcs11Policy? ReadSmimePkcs11(YamlNode node)
    {
        const string section = "smime.vault.pkcs11";
        var fields = Fields(node, section, SmimePkcs11Keys);
        if (fields is null)
        {
            return null;
        }

        string? Required(string key, Func<YamlNode, string, string?> read)
        {
            if (TryGet(fields, key, out var value))
            {
                return read(value, $"{section}.{key}");
            }

            Error(node, $"{section}.{key} is required");
            return null;
        }

        var module = Required("module", (n, name) => ReadPath(n, name, PathKind.ExistingFile));
        var token = Required("token", ReadString);
        var pinFile = Required("pin_file", (n, name) => ReadPath(n, name, PathKind.ExistingFile));
        var key = TryGet(fields, "key", out var keyNode) ? ReadString(keyNode, section + ".key") : null;
        if (module is null || token is null || pinFile is null)
        {
            return null;
        }

        return new SmimePkcs11Policy { Module = module, Token = token, PinFile = pinFile, Key = key ?? SmimePkcs11Policy.DefaultKeyLabel };
    }

    private SmimeSignPolicy ReadSmimeSign(YamlNode node)
    {
        var fields = Fields(node, "smime.sign", SmimeSignKeys);
        var defaults = new SmimeSignPolicy();
        var senders = new List<SenderPattern>();
        if (TryGet(fields, "senders", out var sendersNode))
        {
            var items = Items(sendersNode, "smime.sign.senders");
            for (var i = 0; i < items.Count; i++)
            {
                if (ReadSenderPattern(items[i], $"smime.sign.senders[{i}]") is { } pattern)
                {
                    senders.Add(pattern);
                }
            }
        }

        return new SmimeSignPolicy
        {
            Senders = senders,
            Opaque = TryGet(fields, "form", out var formNode) && ReadEnum(formNode, "smime.sign.form", SignatureForms, false),
            MissingKey = TryGet(fields, "missing_key", out var missingNode)
                ? ReadEnum(missingNode, "smime.sign.missing_key", MissingKeyActions, defaults.MissingKey)
                : defaults.MissingKey,
        };
    }

    private SmimeEncryptPolicy ReadSmimeEncrypt(YamlNode node)
    {
        const string section = "smime.encrypt";
        var fields = Fields(node, section, SmimeEncryptKeys);
        var defaults = new SmimeEncryptPolicy();
        var domains = TryGet(fields, "domains", out var domainsNode)
            ? ReadDomainMap<SmimeEncryptMode?>(domainsNode, section + ".domains", "a mapping of recipient domain to never, when_known or required", (value, name) => ReadEnum(value, name, EncryptModes, SmimeEncryptMode.Never))
            : null;
        return new SmimeEncryptPolicy
        {
            Default = TryGet(fields, "default", out var defaultNode) ? ReadEnum(defaultNode, section + ".default", EncryptModes, defaults.Default) : defaults.Default,
            Domains = domains?.ToDictionary(d => d.Key, d => d.Value!.Value, StringComparer.Ordinal).AsReadOnly() ?? defaults.Domains,
        };
    }

    private SmimeVerifyPolicy ReadSmimeVerify(YamlNode node)
    {
        var fields = Fields(node, "smime.verify", SmimeVerifyKeys);
        return new SmimeVerifyPolicy
        {
            Enabled = !TryGet(fields, "enabled", out var enabledNode) || ReadBool(enabledNode, "smime.verify.enabled", true),
            TrustAnchors = TryGet(fields, "trust_anchors", out var anchorsNode)
                ? ReadPath(anchorsNode, "smime.verify.trust_anchors", PathKind.ExistingFile)
                : null,
            Harvest = !TryGet(fields, "harvest", out var harvestNode) || ReadBool(harvestNode, "smime.verify.harvest", true),
        };
    }
}
