using Gateway.Abstractions;
using Gateway.Policy;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>
/// What one score means for a message whose recipients may sit in several of our domains. The message is one SMTP
/// transaction, answered once, so the strictest domain decides: a domain that rejects at its threshold wins over one
/// that quarantines, which wins over one that tags, which wins over one that only delivers; the lowest threshold of
/// the deciding action applies.
/// </summary>
internal readonly record struct SpamDecision(SpamAction Action, double Threshold, bool IsSpam, string? SubjectPrefix)
{
    public static SpamDecision For(SpamPolicy policy, IReadOnlyList<EnvelopeRecipient> recipients, double score)
    {
        var settings = recipients.Select(r => policy.For(r.Address.Domain)).Distinct().ToList();
        if (settings.Count == 0)
        {
            settings.Add(policy.Default);
        }

        var reached = settings
            .Select(s => Reached(s, score) is { } r ? new SpamDecision(r.Action, r.Threshold, true, r.Action == SpamAction.Tag ? s.SubjectPrefix : null) : (SpamDecision?)null)
            .OfType<SpamDecision>()
            .ToList();
        foreach (var action in (SpamAction[])[SpamAction.Reject, SpamAction.Quarantine, SpamAction.Tag])
        {
            if (reached.Where(d => d.Action == action).OrderBy(d => d.Threshold).Take(1).ToList() is [var strictest])
            {
                return strictest;
            }
        }

        // Not spam for any domain that acts on it: tagged as ham unless every domain only delivers.
        var tagging = settings.Where(s => s.Action != SpamAction.Deliver).MinBy(s => s.Threshold);
        return tagging is not null
            ? new SpamDecision(SpamAction.Tag, tagging.Threshold, false, null)
            : new SpamDecision(SpamAction.Deliver, settings.Min(s => s.Threshold), score >= settings.Min(s => s.Threshold), null);
    }

    /// <summary>
    /// The action one domain takes at this score and the threshold that brought it, null below every threshold:
    /// reject above its threshold first, then the quarantine threshold, then the domain's action at its threshold.
    /// </summary>
    private static (SpamAction Action, double Threshold)? Reached(SpamDomainPolicy settings, double score)
    {
        if (settings.Action == SpamAction.Reject && score >= settings.Threshold)
        {
            return (SpamAction.Reject, settings.Threshold);
        }

        if (settings.QuarantineThreshold is { } quarantine && score >= quarantine)
        {
            return (SpamAction.Quarantine, quarantine);
        }

        return score >= settings.Threshold ? (settings.Action, settings.Threshold) : null;
    }
}
