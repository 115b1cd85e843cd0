using Gateway.Policy;
using Gateway.Spam.Classifier;
using Gateway.Spam.Rules;
using Gateway.Spam.Scoring;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>
/// The content scorer of one policy snapshot: the policy's rules compiled once and the classifier model the host
/// loaded from spam.model (null: rules and authentication results only).
/// </summary>
public sealed class SpamServices
{
    public SpamServices(SpamPolicy policy, SpamModel? model)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
        var rules = SpamRuleSet.Create(policy.Rules.Select(r => new SpamRuleDefinition(r.Name, Target(r.Target), r.Pattern, r.Score, r.Header)));
        Scorer = new SpamScorer(rules, model, SpamScoringOptions.Default with { Threshold = policy.Default.Threshold });
    }

    public SpamPolicy Policy { get; }

    public SpamScorer Scorer { get; }

    /// <summary>DNS lists and client checks; null when the host built none (no DNS, or `gateway spam` tools).</summary>
    public ReputationChecks? Reputation { get; init; }

    private static SpamRuleTarget Target(SpamRuleTargetPolicy target) => target switch
    {
        SpamRuleTargetPolicy.Header => SpamRuleTarget.Header,
        SpamRuleTargetPolicy.Body => SpamRuleTarget.Body,
        SpamRuleTargetPolicy.Raw => SpamRuleTarget.Raw,
        SpamRuleTargetPolicy.Uri => SpamRuleTarget.UriDomain,
        SpamRuleTargetPolicy.Attachment => SpamRuleTarget.AttachmentName,
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };
}
