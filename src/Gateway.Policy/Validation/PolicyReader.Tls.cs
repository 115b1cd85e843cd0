using Gateway.Policy.Yaml;

namespace Gateway.Policy.Validation;

internal sealed partial class PolicyReader
{
    private static readonly string[] TlsKeys = ["certificate", "key", "certificates", "watch_interval", "ciphers", "requiretls", "require_for"];

    private static readonly (string Name, TlsCipherPolicy Value)[] CipherPolicies =
        [("system", TlsCipherPolicy.System), ("strict", TlsCipherPolicy.Strict)];
    private static readonly string[] CertificateKeys = ["certificate", "key"];
    private static readonly string[] RequireForKeys = ["networks", "sender_domains"];

    // Often enough to pick up a renewal soon; not so often that reading a few PEM files matters.
    private static readonly TimeSpan MinWatchInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxWatchInterval = TimeSpan.FromDays(1);

    private TlsPolicy ReadTls(YamlNode node)
    {
        var fields = Fields(node, "tls", TlsKeys);
        var certificates = new List<ServerCertificatePolicy>();
        var auto = true;
        PolicyPosition? autoSource = null;
        if (TryGet(fields, "certificate", out var certificateNode))
        {
            if (certificateNode is YamlScalar { Value: "auto" })
            {
                autoSource = PositionOf(certificateNode);
                if (TryGet(fields, "key", out var keyNode))
                {
                    Error(keyNode, "tls.key: only used with a certificate file (tls.certificate is 'auto')");
                }
            }
            else
            {
                auto = false;
                if (ReadCertificatePair(certificateNode, TryGet(fields, "key", out var keyNode) ? keyNode : null, "tls") is { } pair)
                {
                    certificates.Add(pair);
                }
            }
        }
        else if (TryGet(fields, "key", out var keyNode))
        {
            Error(keyNode, "tls.key: only used with a certificate file (tls.certificate is 'auto' when left out)");
        }

        if (TryGet(fields, "certificates", out var listNode))
        {
            if (autoSource is not null)
            {
                Error(listNode, "tls.certificates: cannot be combined with tls.certificate: auto");
            }
            else
            {
                auto = false;
                certificates.AddRange(ReadCertificateList(listNode));
            }
        }

        var defaults = new TlsPolicy();
        return new TlsPolicy
        {
            AutoCertificate = auto,
            Certificates = certificates,
            AutoSource = autoSource,
            WatchInterval = TryGet(fields, "watch_interval", out var watchNode)
                ? ReadDuration(watchNode, "tls.watch_interval", MinWatchInterval, MaxWatchInterval, defaults.WatchInterval)
                : defaults.WatchInterval,
            Ciphers = TryGet(fields, "ciphers", out var ciphersNode) ? ReadEnum(ciphersNode, "tls.ciphers", CipherPolicies, defaults.Ciphers) : defaults.Ciphers,
            RequireTlsExtension = !TryGet(fields, "requiretls", out var requireTlsNode) || ReadBool(requireTlsNode, "tls.requiretls", true),
            RequireFor = TryGet(fields, "require_for", out var requireForNode) ? ReadRequireFor(requireForNode) : defaults.RequireFor,
        };
    }

    private List<ServerCertificatePolicy> ReadCertificateList(YamlNode node)
    {
        var result = new List<ServerCertificatePolicy>();
        var items = Items(node, "tls.certificates");
        if (items.Count == 0 && node is YamlSequence)
        {
            Error(node, "tls.certificates: list at least one certificate, or leave the key out");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var section = $"tls.certificates[{i}]";
            var fields = Fields(items[i], section, CertificateKeys);
            if (fields is null)
            {
                continue;
            }

            if (!TryGet(fields, "certificate", out var certificateNode))
            {
                Error(items[i], $"{section}.certificate is required");
                continue;
            }

            if (ReadCertificatePair(certificateNode, TryGet(fields, "key", out var keyNode) ? keyNode : null, section) is { } pair)
            {
                result.Add(pair);
            }
        }

        return result;
    }

    /// <summary>
    /// One certificate/key pair. The files must exist now; whether they load is the host's check, reported at these
    /// nodes (the same happens again when a renewal replaces them).
    /// </summary>
    private ServerCertificatePolicy? ReadCertificatePair(YamlNode certificateNode, YamlNode? keyNode, string section)
    {
        var certificate = ReadPath(certificateNode, section + ".certificate", PathKind.ExistingFile);
        if (keyNode is null)
        {
            Error(certificateNode, $"{section}.key is required when {section}.certificate is a file (it may name the same file)");
            return null;
        }

        var key = ReadPath(keyNode, section + ".key", PathKind.ExistingFile);
        if (certificate is null || key is null)
        {
            return null;
        }

        return new ServerCertificatePolicy
        {
            CertificateFile = certificate,
            KeyFile = key,
            CertificateSource = PositionOf(certificateNode),
            KeySource = PositionOf(keyNode),
        };
    }

    private TlsRequirementPolicy ReadRequireFor(YamlNode node)
    {
        var fields = Fields(node, "tls.require_for", RequireForKeys);
        var networks = TryGet(fields, "networks", out var networksNode) ? ReadNetworks(networksNode, "tls.require_for.networks") : [];
        var domains = TryGet(fields, "sender_domains", out var domainsNode) ? ReadSenderDomains(domainsNode, "tls.require_for.sender_domains") : [];

        return new TlsRequirementPolicy { Networks = networks, SenderDomains = domains };
    }
}
