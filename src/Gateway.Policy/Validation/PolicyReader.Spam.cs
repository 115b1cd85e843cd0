using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Policy.Yaml;
using Gateway.Syntax;

namespace Gateway.Policy.Validation;

internal sealed partial class PolicyReader
{
    private static readonly string[] SpamKeys =
    [
        "threshold", "action", "quarantine_threshold", "subject_prefix", "model", "rules", "domains", "attachments", "clamav", "rspamd",
        "dnsbl", "domain_lists", "uri_lists", "client_checks", "reject_score", "lookup_timeout",
    ];
    private static readonly string[] SpamDomainKeys = ["threshold", "action", "quarantine_threshold", "subject_prefix", "attachments"];
    private static readonly string[] SpamRuleKeys = ["name", "target", "header", "pattern", "score"];

    private static readonly (string Name, SpamAction Value)[] SpamActions =
        [("tag", SpamAction.Tag), ("reject", SpamAction.Reject), ("deliver", SpamAction.Deliver), ("quarantine", SpamAction.Quarantine)];

    private static readonly (string Name, SpamRuleTargetPolicy Value)[] SpamRuleTargets =
    [
        ("header", SpamRuleTargetPolicy.Header), ("body", SpamRuleTargetPolicy.Body), ("raw", SpamRuleTargetPolicy.Raw),
        ("uri", SpamRuleTargetPolicy.Uri), ("attachment", SpamRuleTargetPolicy.Attachment),
    ];

    // Scores beyond this are typos: GTUBE, the strongest built-in signal, is 1000.
    private const double MaxSpamScore = 1000;

    private SpamPolicy ReadSpam(YamlNode node, IReadOnlyList<string> domains, bool domainsComplete)
    {
        var fields = Fields(node, "spam", SpamKeys);
        var defaults = ReadSpamDomain(fields, "spam", new SpamDomainPolicy());
        var lists = ReadSpamLists(fields);
        return lists with
        {
            Enabled = true,
            Default = defaults,
            Domains = TryGet(fields, "domains", out var domainsNode)
                ? ReadDomainMap(
                    domainsNode,
                    "spam.domains",
                    "a mapping of recipient domain to {threshold, action, subject_prefix}",
                    (value, name) => ReadSpamDomain(Fields(value, name, SpamDomainKeys), name, defaults),
                    (keyNode, key, name) => SpamDomainIsOurs(keyNode, key, name, new OurDomains(domains, domainsComplete)))
                : new SpamPolicy().Domains,
            Rules = TryGet(fields, "rules", out var rulesNode) ? ReadSpamRules(rulesNode) : [],
            Model = TryGet(fields, "model", out var modelNode) ? ReadPath(modelNode, "spam.model", PathKind.ExistingFile) : null,
            ModelSource = TryGet(fields, "model", out var sourceNode) ? PositionOf(sourceNode) : null,
            ClamAv = TryGet(fields, "clamav", out var clamNode) ? ReadClamAv(clamNode) : null,
            Rspamd = TryGet(fields, "rspamd", out var rspamdNode) ? ReadRspamd(rspamdNode) : null,
        };
    }

    /// <summary>
    /// Only inbound mail is scored, and a recipient is inbound only in one of domains (exact), so an entry naming no
    /// domain of ours, or a ".parent" with none of ours below it, would never apply: almost certainly a typo, and one
    /// that silently leaves a domain on the default threshold and action.
    /// </summary>
    private bool SpamDomainIsOurs(YamlNode keyNode, string key, string name, OurDomains ours)
    {
        if (!key.StartsWith('.'))
        {
            return RequireOurs(keyNode, name, key, key, ours, "spam settings apply to inbound mail only");
        }

        if (!ours.Complete || ours.Domains.Any(d => d.Length > key.Length - 1 && DomainName.IsSameOrSubdomain(d, key.AsSpan(1))))
        {
            return true;
        }

        var list = ours.Domains.Count == 0 ? "domains is empty" : "domains: " + string.Join(", ", ours.Domains);
        Error(keyNode, $"{name}: none of our domains is below '{key[1..]}' ({list}); spam settings apply to inbound mail only");
        return false;
    }

    /// <summary>Threshold, action, quarantine threshold and subject prefix; what is not given comes from <paramref name="inherited"/>.</summary>
    private SpamDomainPolicy ReadSpamDomain(Dictionary<string, YamlNode>? fields, string section, SpamDomainPolicy inherited)
    {
        var settings = new SpamDomainPolicy
        {
            Threshold = TryGet(fields, "threshold", out var thresholdNode)
                ? ReadNumber(thresholdNode, section + ".threshold", -MaxSpamScore, MaxSpamScore, inherited.Threshold)
                : inherited.Threshold,
            Action = TryGet(fields, "action", out var actionNode) ? ReadEnum(actionNode, section + ".action", SpamActions, inherited.Action) : inherited.Action,
            QuarantineThreshold = inherited.QuarantineThreshold,
            SubjectPrefix = TryGet(fields, "subject_prefix", out var prefixNode) ? ReadString(prefixNode, section + ".subject_prefix") : inherited.SubjectPrefix,
            Attachments = TryGet(fields, "attachments", out var attachmentsNode)
                ? ReadAttachments(attachmentsNode, section + ".attachments", inherited.Attachments ?? new AttachmentPolicy())
                : inherited.Attachments,
        };
        if (!TryGet(fields, "quarantine_threshold", out var quarantineNode))
        {
            return settings;
        }

        // Only a value written here is checked against this section's threshold and action; an inherited one that
        // does not fit is harmless (the stricter action wins: reject above its threshold, else quarantine).
        var name = section + ".quarantine_threshold";
        var quarantine = ReadNumber(quarantineNode, name, -MaxSpamScore, MaxSpamScore, double.NaN);
        var threshold = settings.Threshold.ToString(CultureInfo.InvariantCulture);
        switch (settings.Action)
        {
            case SpamAction.Quarantine:
                Error(quarantineNode, $"{name}: the action is already quarantine at threshold {threshold}");
                return settings;
            case SpamAction.Reject when quarantine >= settings.Threshold:
                Error(quarantineNode, $"{name}: must be below the reject threshold {threshold} (the band below it is quarantined)");
                return settings;
            case SpamAction.Tag or SpamAction.Deliver when quarantine <= settings.Threshold:
                Error(quarantineNode, $"{name}: must be above threshold {threshold} (tag or deliver below it, quarantine from it)");
                return settings;
        }

        return double.IsNaN(quarantine) ? settings : settings with { QuarantineThreshold = quarantine };
    }

    private List<SpamRulePolicy> ReadSpamRules(YamlNode node)
    {
        var rules = new List<SpamRulePolicy>();
        var seen = new Dictionary<string, YamlNode>(StringComparer.OrdinalIgnoreCase);
        var items = Items(node, "spam.rules");
        for (var i = 0; i < items.Count; i++)
        {
            var section = $"spam.rules[{i}]";
            var fields = Fields(items[i], section, SpamRuleKeys);
            if (fields is null)
            {
                continue;
            }

            var name = RequiredSpamRuleField(fields, items[i], section, "name") is { } nameNode ? ReadSpamRuleName(nameNode, section + ".name", seen) : null;
            var target = RequiredSpamRuleField(fields, items[i], section, "target") is { } targetNode
                ? ReadEnum<SpamRuleTargetPolicy?>(targetNode, section + ".target", [.. SpamRuleTargets.Select(t => (t.Name, (SpamRuleTargetPolicy?)t.Value))], null)
                : null;
            var pattern = RequiredSpamRuleField(fields, items[i], section, "pattern") is { } patternNode ? ReadPattern(patternNode, section + ".pattern") : null;
            double? score = RequiredSpamRuleField(fields, items[i], section, "score") is { } scoreNode
                ? ReadNumber(scoreNode, section + ".score", -MaxSpamScore, MaxSpamScore, double.NaN)
                : null;
            string? header = null;
            if (TryGet(fields, "header", out var headerNode))
            {
                header = ReadString(headerNode, section + ".header");
                if (target is not SpamRuleTargetPolicy.Header and not null)
                {
                    Error(headerNode, $"{section}.header: only a rule with target header names a field");
                }
            }

            if (name is not null && target is { } t && pattern is not null && score is { } s && !double.IsNaN(s))
            {
                rules.Add(new SpamRulePolicy { Name = name, Target = t, Header = header, Pattern = pattern, Score = s });
            }
        }

        return rules;
    }

    private YamlNode? RequiredSpamRuleField(Dictionary<string, YamlNode> fields, YamlNode rule, string section, string key)
    {
        if (TryGet(fields, key, out var node))
        {
            return node;
        }

        Error(rule, $"{section}.{key} is required");
        return null;
    }

    /// <summary>Rule names appear in X-Spam-Status; letters, digits and underscores keep that field parseable.</summary>
    private string? ReadSpamRuleName(YamlNode node, string name, Dictionary<string, YamlNode> seen)
    {
        var text = ReadString(node, name);
        if (text is null)
        {
            return null;
        }

        if (text.Length is 0 or > 64 || !char.IsAsciiLetter(text[0]) || !text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            Error(node, $"{name}: '{Echo.Of(text)}' is not a rule name (a letter, then letters, digits or '_', at most 64)");
            return null;
        }

        if (!seen.TryAdd(text, node))
        {
            var first = seen[text].Position;
            Error(node, $"{name}: rule '{text}' is defined twice (first at line {first.Line}, column {first.Column})");
            return null;
        }

        return text;
    }

    private string? ReadPattern(YamlNode node, string name)
    {
        var text = ReadString(node, name);
        if (text is null)
        {
            return null;
        }

        try
        {
            // Compiled here only to find mistakes while the old policy is still in force; the scorer compiles its own.
            _ = new Regex(text, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            return text;
        }
        catch (ArgumentException ex)
        {
            Error(node, $"{name}: not a valid regular expression: {ex.Message}");
            return null;
        }
    }

    private double ReadNumber(YamlNode node, string name, double min, double max, double fallback)
    {
        if (node is YamlScalar { IsPlain: true } scalar
            && double.TryParse(scalar.Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min && value <= max)
            {
                return value;
            }

            Error(node, $"{name}: {Echo.Of(scalar.Value)} is out of range {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
            return fallback;
        }

        Error(node, $"{name}: expected a number, found {node.Description}");
        return fallback;
    }
}
