using Gateway.Abstractions;
using Gateway.Policy;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>
/// What one score means for a message whose recipients may sit in several of our domains. The message is one SMTP
/// transaction, answered once, so the strictest domain decides: a domain that rejects at its threshold wins over one
/// that tags, which wins over one that only delivers; the lowest threshold of the deciding action applies.
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

        foreach (var action in (SpamAction[])[SpamAction.Reject, SpamAction.Tag])
        {
            var strictest = settings.Where(s => s.Action == action && score >= s.Threshold).MinBy(s => s.Threshold);
            if (strictest is not null)
            {
                return new SpamDecision(action, strictest.Threshold, true, strictest.SubjectPrefix);
            }
        }

        // Not spam for any domain that acts on it: tagged as ham unless every domain only delivers.
        var tagging = settings.Where(s => s.Action != SpamAction.Deliver).MinBy(s => s.Threshold);
        return tagging is not null
            ? new SpamDecision(SpamAction.Tag, tagging.Threshold, false, null)
            : new SpamDecision(SpamAction.Deliver, settings.Min(s => s.Threshold), score >= settings.Min(s => s.Threshold), null);
    }
}
