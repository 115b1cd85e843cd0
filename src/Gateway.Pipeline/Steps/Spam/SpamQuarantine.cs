using System.Globalization;
using Gateway.Abstractions;
using Gateway.Spam.Scoring;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>The quarantine note of a message held for its spam score: the score, the threshold it reached and every test.</summary>
internal static class SpamQuarantine
{
    public static QuarantineNote Note(SpamVerdict verdict) =>
        new("spam", string.Create(CultureInfo.InvariantCulture, $"spam score {verdict.Score:0.0} reached the quarantine threshold {verdict.Threshold:0.0}"))
        {
            Score = Math.Round(verdict.Score, 2),
            Threshold = verdict.Threshold,
            Tests = [.. verdict.Reasons.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Name}={r.Score:0.0##}"))],
        };
}
