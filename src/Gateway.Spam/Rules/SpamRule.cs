using System.Text.RegularExpressions;

namespace Gateway.Spam.Rules;

/// <summary>A <see cref="SpamRuleDefinition"/> with its pattern compiled once.</summary>
internal sealed class SpamRule(SpamRuleDefinition definition, Regex pattern)
{
    public string Name => definition.Name;

    public SpamRuleTarget Target => definition.Target;

    public string? HeaderName => definition.HeaderName;

    public double Score => definition.Score;

    public Regex Pattern { get; } = pattern;
}
