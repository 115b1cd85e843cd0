using Gateway.Policy.Yaml;

namespace Gateway.Policy.Validation;

internal sealed partial class PolicyReader
{
    private static readonly string[] QuarantineKeys = ["retention", "digest", "digest_hour"];

    // Below an hour nobody gets to look at an item; past ten years it is an archive, not a quarantine.
    private static readonly TimeSpan MinRetention = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxRetention = TimeSpan.FromDays(3650);

    private QuarantinePolicy ReadQuarantine(YamlNode node)
    {
        var fields = Fields(node, "quarantine", QuarantineKeys);
        return new QuarantinePolicy
        {
            Retention = TryGet(fields, "retention", out var retentionNode)
                ? ReadDuration(retentionNode, "quarantine.retention", MinRetention, MaxRetention, QuarantinePolicy.DefaultRetention)
                : QuarantinePolicy.DefaultRetention,
            Digest = TryGet(fields, "digest", out var digestNode) && ReadBool(digestNode, "quarantine.digest", false),
            DigestHour = TryGet(fields, "digest_hour", out var hourNode)
                ? ReadInt(hourNode, "quarantine.digest_hour", 0, 23, QuarantinePolicy.DefaultDigestHour)
                : QuarantinePolicy.DefaultDigestHour,
        };
    }
}
