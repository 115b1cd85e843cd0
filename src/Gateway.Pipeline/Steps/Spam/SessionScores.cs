using Gateway.Spam.Scoring;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>
/// The score inputs of a session known before DATA (address and domain lists, client checks), carried from the
/// session handler into each message part, where the spam step adds them to the content score.
/// </summary>
/// <param name="Reasons">Named points, one per list or check that hit.</param>
/// <param name="Listings">The zones of the block lists that hit, for the refusal at RCPT.</param>
public sealed record SessionScores(IReadOnlyList<SpamReason> Reasons, IReadOnlyList<string> Listings)
{
    public static SessionScores None { get; } = new([], []);

    public double Sum => Math.Round(Reasons.Sum(r => r.Score), 2);

    /// <summary>The reason names, for log lines.</summary>
    public string ReasonList => Reasons.Count == 0 ? "none" : string.Join(',', Reasons.Select(r => r.Name));
}
