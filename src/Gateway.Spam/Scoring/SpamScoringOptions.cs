using Gateway.Spam.Scanning;

namespace Gateway.Spam.Scoring;

/// <summary>
/// How points are counted. The classifier's probability p becomes <c>5 + ClassifierWeight × (p − ClassifierCutoff)</c>
/// points: at the cut-off alone a message reaches the default threshold of 5, a sure spam adds more, a sure ham
/// gets negative points that outweigh a stray rule hit. The cut-off is where, in cross-validation on the 2002 sets of
/// the public corpus, at most 0.4 % of ham scored higher (bench/run-spam.sh prints it again on every run): the
/// classifier is confident about ham, so a message it cannot place is more often spam than not.
/// </summary>
/// <param name="ClassifierWeight">Points between a classifier probability of 0 and of 1.</param>
/// <param name="ClassifierCutoff">The probability that alone scores the default threshold.</param>
/// <param name="Threshold">Score at or above which the message is spam (the default a domain's policy starts from).</param>
public sealed record SpamScoringOptions(double Threshold = 5.0, double ClassifierWeight = 20.0, double ClassifierCutoff = 0.40)
{
    /// <summary>Points a classifier probability of <see cref="ClassifierCutoff"/> gives: the default threshold.</summary>
    public const double CutoffPoints = 5.0;

    public static SpamScoringOptions Default { get; } = new();

    public ScanLimits Limits { get; init; } = ScanLimits.Default;

    public AuthenticationScores Authentication { get; init; } = AuthenticationScores.Default;
}
