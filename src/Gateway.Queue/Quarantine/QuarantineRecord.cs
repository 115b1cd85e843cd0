using Gateway.Abstractions;

namespace Gateway.Queue;

/// <summary>
/// What the spool keeps about a quarantined message, as the content of its hold marker (hold/&lt;id&gt;): which check
/// held it, why, its score and tests when it was scored, and when. An empty marker is an operator's hold (`gateway
/// queue hold`), not a quarantine item.
/// </summary>
public sealed record QuarantineRecord(
    string Source,
    string Reason,
    double? Score,
    double? Threshold,
    IReadOnlyList<string> Tests,
    DateTimeOffset QuarantinedAt)
{
    /// <summary>The record of a message quarantined at <paramref name="at"/> for <paramref name="note"/>.</summary>
    public static QuarantineRecord From(QuarantineNote note, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(note);
        return new QuarantineRecord(note.Source, note.Reason, note.Score, note.Threshold, note.Tests, at);
    }
}
