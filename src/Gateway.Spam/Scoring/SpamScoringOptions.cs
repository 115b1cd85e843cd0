using Gateway.Spam.Scanning;

namespace Gateway.Spam.Scoring;

/// <summary>
/// How points are counted. The classifier's probability p becomes <c>ClassifierWeight × (2p − 1)</c> points: a sure
/// spam adds the full weight, a sure ham subtracts it, an unsure message (p near 0.5) adds nothing, so rules and
/// authentication decide the borderline cases.
/// </summary>
/// <param name="ClassifierWeight">Points for a classifier probability of 1 (and minus that for 0).</param>
/// <param name="Threshold">Score at or above which the message is spam (the default a domain's policy starts from).</param>
public sealed record SpamScoringOptions(double Threshold = 5.0, double ClassifierWeight = 10.0)
{
    public static SpamScoringOptions Default { get; } = new();

    public ScanLimits Limits { get; init; } = ScanLimits.Default;

    public AuthenticationScores Authentication { get; init; } = AuthenticationScores.Default;
}
