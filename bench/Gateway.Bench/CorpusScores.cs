using System.Globalization;

namespace Gateway.Bench;

/// <summary>Scores of a filter over a set of labelled messages, and the rates they give at a threshold.</summary>
internal sealed record CorpusScores(IReadOnlyList<CorpusMessage> Messages, IReadOnlyList<double> Scores, double CpuMsPerMessage)
{
    public double FalsePositiveRate(double threshold) => Rate(false, s => s >= threshold);

    public double Recall(double threshold) => Rate(true, s => s >= threshold);

    /// <summary>The lowest threshold whose false-positive rate stays within <paramref name="maxFalsePositives"/>.</summary>
    public double ThresholdFor(double maxFalsePositives)
    {
        var ham = Messages.Select((m, i) => (m, i)).Where(x => !x.m.IsSpam).Select(x => Scores[x.i]).OrderDescending().ToArray();
        var allowed = (int)Math.Floor(ham.Length * maxFalsePositives);
        // Just above the (allowed+1)-th highest ham score: that many ham messages at most reach it.
        return allowed >= ham.Length ? double.NegativeInfinity : Math.Round(ham[allowed] + 0.01, 2);
    }

    /// <summary>
    /// The chance that a random spam scores above a random ham (ties count half): how well the scores rank, at every
    /// threshold at once, so it moves smoothly where rates at one threshold jump by whole messages.
    /// </summary>
    public double Auc()
    {
        var ranked = Messages.Select((m, i) => (m.IsSpam, Score: Scores[i])).OrderBy(x => x.Score).ToArray();
        double spamRankSum = 0;
        var spam = 0;
        for (var start = 0; start < ranked.Length;)
        {
            var end = start;
            while (end < ranked.Length && ranked[end].Score == ranked[start].Score)
            {
                end++;
            }

            // Tied scores share the mean of their ranks (1-based).
            var meanRank = (start + 1 + end) / 2.0;
            for (var i = start; i < end; i++)
            {
                if (ranked[i].IsSpam)
                {
                    spamRankSum += meanRank;
                    spam++;
                }
            }

            start = end;
        }

        var ham = ranked.Length - spam;
        return spam == 0 || ham == 0 ? double.NaN : (spamRankSum - (spam * (spam + 1) / 2.0)) / ((double)spam * ham);
    }

    /// <summary>
    /// The rate each set gives at a threshold (false positives for ham, recall for spam): easy and hard ham fail in
    /// different ways, and a total hides which one moved.
    /// </summary>
    public string PerSet(double threshold) => string.Join(", ", Messages.Select((m, i) => (m, i)).GroupBy(x => x.m.Set).Select(g =>
        string.Create(CultureInfo.InvariantCulture, $"{g.Key} {(double)g.Count(x => Scores[x.i] >= threshold) / g.Count():P1} flagged of {g.Count()}")));

    /// <summary>
    /// One line per message, "split label score set file", spam lowest first then ham highest first: the misses that
    /// decide the threshold lead.
    /// </summary>
    public IEnumerable<string> Listing(string split) => Messages.Select((m, i) => (m, Score: Scores[i]))
        .OrderBy(x => x.m.IsSpam ? 0 : 1).ThenBy(x => x.m.IsSpam ? x.Score : -x.Score)
        .Select(x => string.Create(CultureInfo.InvariantCulture, $"{split} {(x.m.IsSpam ? "spam" : "ham")} {x.Score:0.00} {x.m.Set} {x.m.File}"));

    public string Row(string filter, double threshold) => string.Create(
        CultureInfo.InvariantCulture,
        $"| {filter} | {threshold:0.00} | {FalsePositiveRate(threshold):P2} | {Recall(threshold):P1} | {CpuMsPerMessage:0.00} |");

    private double Rate(bool spam, Func<double, bool> flagged)
    {
        var (total, hits) = (0, 0);
        for (var i = 0; i < Messages.Count; i++)
        {
            if (Messages[i].IsSpam == spam)
            {
                total++;
                hits += flagged(Scores[i]) ? 1 : 0;
            }
        }

        return total == 0 ? 0 : (double)hits / total;
    }
}
