namespace Gateway.Spam.Classifier;

/// <summary>
/// Fisher's method as Gary Robinson proposed it for spam filters: the per-feature spam probabilities are combined
/// into two chi-square tests, "these look like spam" and "these look like ham", and the answer is their balance.
/// Unlike a naive-Bayes product it says "unsure" (near 0.5) when a message carries strong evidence both ways,
/// instead of swinging to 0 or 1 on whichever side has more tokens.
/// </summary>
internal static class ChiSquareCombiner
{
    public static double Combine(IReadOnlyList<double> probabilities)
    {
        if (probabilities.Count == 0)
        {
            return 0.5;
        }

        double sumLnSpam = 0, sumLnHam = 0;
        foreach (var p in probabilities)
        {
            sumLnSpam += Math.Log(1 - p);
            sumLnHam += Math.Log(p);
        }

        var degrees = 2 * probabilities.Count;
        var spamness = 1 - ChiSquareSurvival(-2 * sumLnSpam, degrees);
        var hamness = 1 - ChiSquareSurvival(-2 * sumLnHam, degrees);
        return (spamness - hamness + 1) / 2;
    }

    /// <summary>P(X ≥ x) for a chi-square variable with an even number of degrees of freedom (closed form).</summary>
    internal static double ChiSquareSurvival(double x, int degrees)
    {
        var m = x / 2;
        var term = Math.Exp(-m);
        var sum = term;
        for (var i = 1; i < degrees / 2; i++)
        {
            term *= m / i;
            sum += term;
        }

        return Math.Min(sum, 1);
    }
}
