using Gateway.Abstractions;
using Gateway.Policy.Yaml;

namespace Gateway.Policy.Validation;

/// <summary>The authentication: section (SPF, DKIM, ARC, DMARC).</summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] AuthenticationKeys = ["authserv_id", "spf", "dkim", "arc", "dmarc"];
    private static readonly string[] SpfKeys = ["verify", "reject_fail"];
    private static readonly string[] DkimKeys = ["verify", "max_signatures", "allow_unsigned_content", "sign"];
    private static readonly string[] DkimSignKeys = ["domain", "selector", "key", "algorithm"];
    private static readonly string[] ArcKeys = ["verify", "trusted_sealers", "seal"];
    private static readonly string[] ArcSealKeys = ["domain", "selector", "key"];

    private static readonly string[] DmarcKeys =
        ["verify", "enforce", "quarantine", "temperror", "trusted_forwarders", "exceptions", "public_suffix_list", "reports"];

    private static readonly string[] DmarcReportKeys = ["enabled", "interval", "org_name", "from", "max_records_per_day"];

    private static readonly (string Name, DkimAlgorithm? Value)[] DkimAlgorithms =
        [("rsa-sha256", DkimAlgorithm.RsaSha256), ("ed25519-sha256", DkimAlgorithm.Ed25519Sha256)];

    private static readonly (string Name, DmarcQuarantineAction Value)[] QuarantineActions =
        [("hold", DmarcQuarantineAction.Hold), ("deliver", DmarcQuarantineAction.Deliver)];

    private static readonly (string Name, DmarcTempErrorAction Value)[] TempErrorActions =
        [("tempfail", DmarcTempErrorAction.TempFail), ("accept", DmarcTempErrorAction.Accept)];

    private static readonly TimeSpan MinReportInterval = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxReportInterval = TimeSpan.FromDays(7);

    // report_metadata/org_name is free text; a bound keeps a pasted paragraph out of every report.
    private const int MaxOrgName = 200;

    // Each signature costs a DNS query and a public-key operation; 50 covers any honest message many times over.
    private const int MaxDkimSignatures = 50;

    /// <summary>
    /// The authentication section; <paramref name="node"/> null when absent. The authserv-id falls back to
    /// <paramref name="hostName"/> so consumers never need to. Domain membership is checked only when
    /// <paramref name="domainsComplete"/> (after errors in domains the list would only echo them).
    /// </summary>
    private AuthenticationPolicy ReadAuthentication(YamlNode? node, string hostName, IReadOnlyList<string> domains, bool domainsComplete)
    {
        if (node is null)
        {
            return new AuthenticationPolicy { AuthservId = hostName };
        }

        var fields = Fields(node, "authentication", AuthenticationKeys);

        // RFC 8601 2.5: the authserv-id names the ADMD; "SHOULD" be a domain name under its control.
        var authservId = TryGet(fields, "authserv_id", out var idNode)
            ? ReadDomain(idNode, "authentication.authserv_id", requireFullyQualified: true) ?? hostName
            : hostName;

        var ours = new OurDomains(domains, domainsComplete);
        return new AuthenticationPolicy
        {
            AuthservId = authservId,
            Spf = TryGet(fields, "spf", out var spfNode) ? ReadSpf(spfNode) : new SpfPolicy(),
            Dkim = TryGet(fields, "dkim", out var dkimNode) ? ReadDkim(dkimNode, ours) : new DkimPolicy(),
            Arc = TryGet(fields, "arc", out var arcNode) ? ReadArc(arcNode, ours) : new ArcPolicy(),
            Dmarc = TryGet(fields, "dmarc", out var dmarcNode) ? ReadDmarc(dmarcNode, ours) : new DmarcPolicy(),
        };
    }

    private SpfPolicy ReadSpf(YamlNode node)
    {
        const string Section = "authentication.spf";
        var fields = Fields(node, Section, SpfKeys);
        var verify = Bool(fields, Section, "verify", true);
        var rejectFail = Bool(fields, Section, "reject_fail", false);
        RequireEnabled(rejectFail, Section + ".reject_fail", verify, Section + ".verify");
        return new SpfPolicy { Verify = verify.Value, RejectFail = rejectFail.Value };
    }

    private DkimPolicy ReadDkim(YamlNode node, OurDomains ours)
    {
        const string Section = "authentication.dkim";
        var fields = Fields(node, Section, DkimKeys);
        var defaults = new DkimPolicy();
        var verify = Bool(fields, Section, "verify", true);
        var allowUnsigned = Bool(fields, Section, "allow_unsigned_content", false);
        var maxSignatures = TryGet(fields, "max_signatures", out var maxNode)
            ? ReadInt(maxNode, Section + ".max_signatures", 1, MaxDkimSignatures, defaults.MaxSignatures)
            : defaults.MaxSignatures;

        var sign = new List<DkimSigningKeyPolicy>();
        if (TryGet(fields, "sign", out var signNode))
        {
            var seen = new Dictionary<(string Domain, string Selector), YamlNode>();
            var items = Items(signNode, Section + ".sign");
            for (var i = 0; i < items.Count; i++)
            {
                var itemSection = $"{Section}.sign[{i}]";
                var itemFields = Fields(items[i], itemSection, DkimSignKeys);
                if (itemFields is null)
                {
                    continue;
                }

                var key = ReadSigningKey(items[i], itemFields, itemSection, ours);
                var algorithm = TryGet(itemFields, "algorithm", out var algorithmNode)
                    ? ReadEnum(algorithmNode, itemSection + ".algorithm", DkimAlgorithms, null)
                    : null;
                if (key is null)
                {
                    continue;
                }

                // Two signatures with one d= and s= would point at one DNS key record: at least one cannot verify.
                if (!seen.TryAdd((key.Domain, key.Selector), items[i]))
                {
                    var first = seen[(key.Domain, key.Selector)].Position;
                    Error(items[i], $"{itemSection}: domain {key.Domain} with selector {key.Selector} is already listed (first at line {first.Line}, column {first.Column}); each key needs its own selector");
                    continue;
                }

                sign.Add(new DkimSigningKeyPolicy(key.Domain, key.Selector, key.KeyFile, algorithm, key.Source));
            }
        }

        return new DkimPolicy { Verify = verify.Value, MaxSignatures = maxSignatures, AllowUnsignedContent = allowUnsigned.Value, Sign = sign };
    }

    private ArcPolicy ReadArc(YamlNode node, OurDomains ours)
    {
        const string Section = "authentication.arc";
        var fields = Fields(node, Section, ArcKeys);
        var verify = Bool(fields, Section, "verify", true);
        var sealers = TryGet(fields, "trusted_sealers", out var sealersNode) ? ReadDomainList(sealersNode, Section + ".trusted_sealers") : [];

        ArcSealPolicy? seal = null;
        if (TryGet(fields, "seal", out var sealNode))
        {
            var sealFields = Fields(sealNode, Section + ".seal", ArcSealKeys);
            if (sealFields is not null)
            {
                var key = ReadSigningKey(sealNode, sealFields, Section + ".seal", ours);
                seal = key is null ? null : new ArcSealPolicy(key.Domain, key.Selector, key.KeyFile, key.Source);

                // RFC 8617 5.1.1: the seal's cv= is the result of validating the chain, so sealing needs verification.
                RequireEnabled(new Setting<bool>(true, sealNode, true), Section + ".seal", verify, Section + ".verify");
            }
        }

        return new ArcPolicy { Verify = verify.Value, TrustedSealers = sealers, Seal = seal };
    }

    private DmarcPolicy ReadDmarc(YamlNode node, OurDomains ours)
    {
        const string Section = "authentication.dmarc";
        var fields = Fields(node, Section, DmarcKeys);
        var defaults = new DmarcPolicy();
        var verify = Bool(fields, Section, "verify", true);
        return new DmarcPolicy
        {
            Verify = verify.Value,
            Enforce = Bool(fields, Section, "enforce", true).Value,
            Quarantine = TryGet(fields, "quarantine", out var quarantineNode)
                ? ReadEnum(quarantineNode, Section + ".quarantine", QuarantineActions, defaults.Quarantine)
                : defaults.Quarantine,
            TempError = TryGet(fields, "temperror", out var tempErrorNode)
                ? ReadEnum(tempErrorNode, Section + ".temperror", TempErrorActions, defaults.TempError)
                : defaults.TempError,
            TrustedForwarders = TryGet(fields, "trusted_forwarders", out var forwardersNode)
                ? ReadNetworks(forwardersNode, Section + ".trusted_forwarders")
                : defaults.TrustedForwarders,
            Exceptions = TryGet(fields, "exceptions", out var exceptionsNode) ? ReadDomainList(exceptionsNode, Section + ".exceptions") : defaults.Exceptions,
            PublicSuffixList = TryGet(fields, "public_suffix_list", out var pslNode)
                ? ReadPath(pslNode, Section + ".public_suffix_list", PathKind.ExistingFile)
                : defaults.PublicSuffixList,
            Reports = TryGet(fields, "reports", out var reportsNode) ? ReadDmarcReports(reportsNode, ours, verify) : defaults.Reports,
        };
    }

    private DmarcReportsPolicy ReadDmarcReports(YamlNode node, OurDomains ours, Setting<bool> verify)
    {
        const string Section = "authentication.dmarc.reports";
        var fields = Fields(node, Section, DmarcReportKeys);
        var defaults = new DmarcReportsPolicy();
        var enabled = Bool(fields, Section, "enabled", false);

        // Reports describe DMARC evaluations; with verification off there would never be anything to send.
        RequireEnabled(enabled, Section + ".enabled", verify, "authentication.dmarc.verify");

        var orgNameGiven = TryGet(fields, "org_name", out var orgNameNode);
        var fromGiven = TryGet(fields, "from", out var fromNode);

        // Only when enabled is valid and true: its node is where the admin turned reports on.
        if (enabled is { Valid: true, Value: true, Node: not null })
        {
            if (!orgNameGiven)
            {
                Error(enabled.Node, $"{Section}.org_name is required when reports are enabled (report_metadata/org_name, RFC 7489 appendix C)");
            }

            if (!fromGiven)
            {
                Error(enabled.Node, $"{Section}.from is required when reports are enabled (an address in one of our domains)");
            }
        }

        var interval = TryGet(fields, "interval", out var intervalNode)
            ? ReadDuration(intervalNode, Section + ".interval", MinReportInterval, MaxReportInterval, defaults.Interval)
            : defaults.Interval;

        string? orgName = null;
        if (orgNameGiven)
        {
            orgName = ReadString(orgNameNode, Section + ".org_name");
            if (orgName is not null && (orgName.Trim().Length == 0 || orgName.Length > MaxOrgName))
            {
                Error(orgNameNode, $"{Section}.org_name: must be 1-{MaxOrgName} characters and not blank");
                orgName = null;
            }
        }

        var from = fromGiven ? ReadReportSender(fromNode, Section + ".from", ours) : null;

        var maxRecords = TryGet(fields, "max_records_per_day", out var maxNode)
            ? ReadInt(maxNode, Section + ".max_records_per_day", 1000, 10_000_000, defaults.MaxRecordsPerDay)
            : defaults.MaxRecordsPerDay;

        return new DmarcReportsPolicy { Enabled = enabled.Value, Interval = interval, OrgName = orgName, From = from, MaxRecordsPerDay = maxRecords };
    }

    private Mailbox? ReadReportSender(YamlNode node, string name, OurDomains ours)
    {
        var text = ReadString(node, name);
        if (text is null)
        {
            return null;
        }

        var problem = AddressParser.TryParse(text, out var mailbox);
        if (problem is not null)
        {
            Error(node, $"{name}: {problem}");
            return null;
        }

        // Reports leave through our own outbound path; a sender outside our domains would fail the
        // recipients' SPF/DMARC checks and make us look like a forger.
        return RequireOurs(node, name, mailbox.Domain, text, ours, "reports are sent from our own domains") ? mailbox : null;
    }

    /// <summary>domain, selector and key of a DKIM signing key or the ARC seal; null after an error.</summary>
    private SigningKey? ReadSigningKey(YamlNode item, Dictionary<string, YamlNode> fields, string section, OurDomains ours)
    {
        string? domain = null;
        if (TryGet(fields, "domain", out var domainNode))
        {
            var name = section + ".domain";
            domain = ReadDomain(domainNode, name, requireFullyQualified: false);
            if (domain is not null && !RequireOurs(domainNode, name, domain, ((YamlScalar)domainNode).Value, ours, "we sign only for our own domains"))
            {
                domain = null;
            }
        }
        else
        {
            Error(item, $"{section}.domain is required");
        }

        string? selector = null;
        if (TryGet(fields, "selector", out var selectorNode))
        {
            selector = ReadSelector(selectorNode, section + ".selector");
            var tooLong = selector is null || domain is null ? null : SelectorParser.CheckKeyRecordName(selector, domain);
            if (tooLong is not null)
            {
                Error(selectorNode, $"{section}.selector: {tooLong}");
                selector = null;
            }
        }
        else
        {
            Error(item, $"{section}.selector is required");
        }

        string? keyFile = null;
        PolicyPosition? source = null;
        if (TryGet(fields, "key", out var keyNode))
        {
            keyFile = ReadPath(keyNode, section + ".key", PathKind.ExistingFile);
            source = PositionOf(keyNode);
        }
        else
        {
            Error(item, $"{section}.key is required (a PEM private key file)");
        }

        return domain is null || selector is null || keyFile is null || source is null ? null : new SigningKey(domain, selector, keyFile, source);
    }

    private string? ReadSelector(YamlNode node, string name)
    {
        var text = ReadString(node, name);
        if (text is null)
        {
            return null;
        }

        var problem = SelectorParser.TryCanonicalize(text, out var selector);
        if (problem is not null)
        {
            Error(node, $"{name}: {problem}");
            return null;
        }

        return selector;
    }

    /// <summary>A list of domains, canonical, each at most once (written twice is an error at the second).</summary>
    private List<string> ReadDomainList(YamlNode node, string name)
    {
        var result = new List<string>();
        var seen = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in Items(node, name))
        {
            var itemName = $"{name}[{index++}]";
            var domain = ReadDomain(item, itemName, requireFullyQualified: false);
            if (domain is null)
            {
                continue;
            }

            if (!seen.TryAdd(domain, item))
            {
                var first = seen[domain].Position;
                Error(item, $"{itemName}: domain '{domain}' is listed twice (first at line {first.Line}, column {first.Column})");
                continue;
            }

            result.Add(domain);
        }

        return result;
    }

    /// <summary>False (after an error at <paramref name="node"/>) when <paramref name="domain"/> is known not to be ours.</summary>
    private bool RequireOurs(YamlNode node, string name, string domain, string written, OurDomains ours, string why)
    {
        if (!ours.Complete || ours.Domains.Contains(domain, StringComparer.Ordinal))
        {
            return true;
        }

        var list = ours.Domains.Count == 0 ? "domains is empty" : "domains: " + string.Join(", ", ours.Domains);
        var hint = KeySuggestion.Closest(domain, ours.Domains);
        var message = $"{name}: '{Echo.Of(written)}' is not one of our domains ({list}); {why}";
        Error(node, hint is null ? message : $"{message}; did you mean '{hint}'?");
        return false;
    }

    private Setting<bool> Bool(Dictionary<string, YamlNode>? fields, string section, string key, bool fallback)
    {
        if (!TryGet(fields, key, out var node))
        {
            return new(fallback, null, true);
        }

        var before = _errors.Count;
        var value = ReadBool(node, $"{section}.{key}", fallback);
        return new(value, node, _errors.Count == before);
    }

    /// <summary>
    /// A feature switched on in the file (<paramref name="feature"/> true, from a node) that depends on
    /// <paramref name="required"/> being true: when it is false the feature would silently never act.
    /// </summary>
    private void RequireEnabled(Setting<bool> feature, string featureName, Setting<bool> required, string requiredName)
    {
        if (feature is { Valid: true, Value: true, Node: not null } && required is { Valid: true, Value: false })
        {
            Error(feature.Node, $"{featureName}: needs {requiredName}: true");
        }
    }

    private sealed record SigningKey(string Domain, string Selector, string KeyFile, PolicyPosition Source);

    private sealed record OurDomains(IReadOnlyList<string> Domains, bool Complete);
}
