using System.Globalization;
using System.Text;

namespace Gateway.Spam.Scoring;

/// <summary>The scorer's answer for one message: total points against the threshold, and where they came from.</summary>
/// <param name="Score">Sum of the reasons' points.</param>
/// <param name="Threshold">Score from which the message counts as spam.</param>
/// <param name="Reasons">Every rule and input that added or removed points.</param>
/// <param name="ClassifierProbability">The classifier's spam probability, or null when no trained model was used.</param>
/// <param name="Truncated">Only a prefix or part of the message was looked at (see <c>ScanLimits</c>).</param>
public sealed record SpamVerdict(double Score, double Threshold, double? ClassifierProbability, IReadOnlyList<SpamReason> Reasons, bool Truncated)
{
    public bool IsSpam => Score >= Threshold;

    /// <summary>The reason names, for log lines and traces ("GTUBE,BAYES_99").</summary>
    public string ReasonList => Reasons.Count == 0 ? "none" : string.Join(',', Reasons.Select(r => r.Name));

    /// <summary>
    /// The value of an <c>X-Spam-Status</c> field, in the shape SpamAssassin made familiar so that mail clients'
    /// existing filters on "Yes," keep working: <c>Yes, score=7.2 required=5.0 bayes=0.99 tests=BAYES_99,SPF_FAIL</c>.
    /// </summary>
    public string ToHeaderValue()
    {
        var value = new StringBuilder(IsSpam ? "Yes" : "No");
        value.Append(CultureInfo.InvariantCulture, $", score={Score:0.0} required={Threshold:0.0}");
        if (ClassifierProbability is { } p)
        {
            value.Append(CultureInfo.InvariantCulture, $" bayes={p:0.00}");
        }

        value.Append(" tests=").Append(ReasonList);
        if (Truncated)
        {
            value.Append(" truncated=yes");
        }

        return value.ToString();
    }

    /// <summary>The score alone, for an <c>X-Spam-Score</c> field.</summary>
    public string ScoreText => Score.ToString("0.0", CultureInfo.InvariantCulture);
}
