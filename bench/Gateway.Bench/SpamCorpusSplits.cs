using System.Globalization;
using Gateway.Spam.Rules;
using Gateway.Spam.Scoring;

namespace Gateway.Bench;

/// <summary>
/// The judge for a change to the classifier, on the 2002 sets alone (<c>--splits</c>, only with <c>--dev-only</c>):
/// five time splits (learn the oldest third, half or two thirds of each set by Date, score the newest third or quarter)
/// and three differently seeded 5-fold cross-validations. One split moves by whole messages; the means over several
/// show whether a change helps a model rank mail newer than what it learned (the stand-in for the held-out year), and
/// the cross-validations whether it costs false positives at the classifier's cut-off.
/// </summary>
internal static class SpamCorpusSplits
{
    /// <summary>(share of each set learned from its oldest end, share scored from its newest end).</summary>
    private static readonly (int LearnNum, int LearnDen, int ScoreNum, int ScoreDen)[] TimeSplits =
    [
        (1, 3, 1, 3),
        (1, 2, 1, 3),
        (2, 3, 1, 3),
        (1, 2, 1, 4),
        (2, 3, 1, 4),
    ];

    private static readonly int[] Seeds = [1, 2, 3];

    private static readonly double[] FalsePositiveTargets = [0.004, 0.005, 0.01];

    public static void Run(IReadOnlyList<CorpusMessage> messages, SpamScoringOptions options)
    {
        var auc = 0.0;
        var recall = new double[FalsePositiveTargets.Length];
        foreach (var (learnNum, learnDen, scoreNum, scoreDen) in TimeSplits)
        {
            var (older, newer) = Split(messages, learnNum, learnDen, scoreNum, scoreDen);
            var scores = SpamCorpusBenchmark.Score(newer, SpamCorpusBenchmark.Train(older), options);
            auc += scores.Auc() / TimeSplits.Length;
            for (var t = 0; t < FalsePositiveTargets.Length; t++)
            {
                recall[t] += scores.Recall(scores.ThresholdFor(FalsePositiveTargets[t])) / TimeSplits.Length;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"split learn {learnNum}/{learnDen} score last {scoreNum}/{scoreDen}: {Line(scores, options.Threshold)}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"time splits mean: AUC {auc:0.00000} R@0.4% {recall[0]:P2} R@0.5% {recall[1]:P2} R@1% {recall[2]:P2}"));

        var (cvFalsePositives, cvAuc, cvRecall) = (0.0, 0.0, 0.0);
        foreach (var seed in Seeds)
        {
            var scores = CrossValidate(messages, 5, seed, options);
            cvFalsePositives += (double)FalsePositives(scores, options.Threshold) / Seeds.Length;
            cvAuc += scores.Auc() / Seeds.Length;
            cvRecall += scores.Recall(scores.ThresholdFor(FalsePositiveTargets[0])) / Seeds.Length;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"5-fold CV seed {seed}: {Line(scores, options.Threshold)}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CV mean: FP at {options.Threshold:0.0} {cvFalsePositives:0.0} of {messages.Count(m => !m.IsSpam)}, R@0.4% {cvRecall:P2}, AUC {cvAuc:0.00000}"));
    }

    private static string Line(CorpusScores scores, double threshold) => string.Create(CultureInfo.InvariantCulture,
        $"FP at {threshold:0.0} {FalsePositives(scores, threshold)} recall {scores.Recall(threshold):P1}; R@0.4% {scores.Recall(scores.ThresholdFor(0.004)):P1} R@0.5% {scores.Recall(scores.ThresholdFor(0.005)):P1} R@1% {scores.Recall(scores.ThresholdFor(0.01)):P1}; AUC {scores.Auc():0.00000}");

    private static int FalsePositives(CorpusScores scores, double threshold) =>
        scores.Messages.Where((m, i) => !m.IsSpam && scores.Scores[i] >= threshold).Count();

    private static (List<CorpusMessage> Older, List<CorpusMessage> Newer) Split(IReadOnlyList<CorpusMessage> messages, int learnNum, int learnDen, int scoreNum, int scoreDen)
    {
        var older = new List<CorpusMessage>();
        var newer = new List<CorpusMessage>();
        foreach (var set in messages.GroupBy(m => m.Set))
        {
            var ordered = set.OrderBy(m => m.Date).ToList();
            older.AddRange(ordered.Take(ordered.Count * learnNum / learnDen));
            newer.AddRange(ordered.Skip(ordered.Count - (ordered.Count * scoreNum / scoreDen)));
        }

        return (older, newer);
    }

    /// <summary>Folds drawn by a seeded shuffle, so each seed mixes the sets differently from the index-order folds.</summary>
    private static CorpusScores CrossValidate(IReadOnlyList<CorpusMessage> messages, int folds, int seed, SpamScoringOptions options)
    {
        var fold = new int[messages.Count];
        var order = Enumerable.Range(0, messages.Count).ToArray();
        new Random(seed).Shuffle(order);
        for (var i = 0; i < order.Length; i++)
        {
            fold[order[i]] = i % folds;
        }

        var scores = new double[messages.Count];
        for (var f = 0; f < folds; f++)
        {
            var model = SpamCorpusBenchmark.Train(messages.Where((_, i) => fold[i] != f));
            var scorer = new SpamScorer(SpamRuleSet.Empty, model, options);
            for (var i = 0; i < messages.Count; i++)
            {
                if (fold[i] == f)
                {
                    scores[i] = scorer.Score(messages[i].Bytes, SpamContext.None).Score;
                }
            }
        }

        return new CorpusScores(messages, scores, double.NaN);
    }
}
