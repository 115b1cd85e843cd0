using System.Globalization;
using Gateway.Spam.Classifier;
using Gateway.Spam.Features;
using Gateway.Spam.Rules;
using Gateway.Spam.Scanning;
using MimeKit;

namespace Gateway.Spam.Scoring;

/// <summary>
/// Scores one message: a bounded parse, the pattern rules (GTUBE among them), the classifier and the
/// sender-authentication results, summed into a <see cref="SpamVerdict"/>. Stateless per call and safe to share
/// between sessions; what the score means for a domain (tag, reject, deliver) is the pipeline's decision.
/// </summary>
public sealed class SpamScorer(SpamRuleSet rules, SpamModel? model, SpamScoringOptions options)
{
    /// <summary>Largest message after which its parser goes back to the pool (see <see cref="Scan"/>).</summary>
    internal const int MaxPooledParserMessage = 64 * 1024;

    private readonly BoundedPool<ScoringScratch> _scratch = new(() => new ScoringScratch());
    private readonly BoundedPool<MimeParser> _parsers = new(MessageScanner.CreateParser);

    public SpamScoringOptions Options => options;

    /// <summary>Parsers kept for reuse now, for tests.</summary>
    internal int PooledParsers => _parsers.Count;

    public SpamVerdict Score(ReadOnlyMemory<byte> message, SpamContext context, CancellationToken cancellationToken = default) =>
        Score(Scan(message, cancellationToken), context, cancellationToken);

    /// <summary>The bounded parse alone, for callers that look at the links before scoring.</summary>
    public SpamScan Scan(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var parser = _parsers.Rent();
        try
        {
            return new(MessageScanner.Scan(message, options.Limits, cancellationToken, parser));
        }
        finally
        {
            // A parser's header buffer grows to the longest field it has read and never shrinks: only one that read
            // an ordinary message is kept, so that a crafted one cannot leave a large buffer pinned in the pool.
            MessageScanner.Release(parser);
            if (message.Length <= MaxPooledParserMessage)
            {
                _parsers.Return(parser);
            }
        }
    }

    public SpamVerdict Score(SpamScan scan, SpamContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(context);
        var scanned = scan.Message;
        var reasons = new List<SpamReason>();
        rules.Evaluate(scanned, reasons, cancellationToken);
        options.Authentication.Add(context, reasons);
        reasons.AddRange(context.Inputs);
        reasons.AddRange(context.Reputation);

        double? probability = null;
        if (model is { IsTrained: true })
        {
            var scratch = _scratch.Rent();
            double p;
            try
            {
                MessageFeatures.Extract(scanned, scratch.Sink);
                p = model.Classify(scratch.Sink.Features.Items, scratch.Clues);
            }
            finally
            {
                if (scratch.TryReset())
                {
                    _scratch.Return(scratch);
                }
            }

            probability = p;
            var points = SpamScoringOptions.CutoffPoints + (options.ClassifierWeight * (p - options.ClassifierCutoff));
            reasons.Add(new SpamReason(ClassifierReason(p), Math.Round(points, 2)));
        }

        var score = Math.Round(reasons.Sum(r => r.Score), 2);
        return new SpamVerdict(score, options.Threshold, probability, reasons, scanned.Truncated);
    }

    /// <summary>"BAYES_" and the probability in percent, floored to the bands SpamAssassin users know (00, 05, 20, ... 99).</summary>
    private static string ClassifierReason(double p)
    {
        int[] bands = [0, 5, 20, 40, 50, 60, 80, 95, 99];
        var percent = (int)Math.Floor(p * 100);
        var band = bands.Last(b => b <= percent);
        return "BAYES_" + band.ToString("00", CultureInfo.InvariantCulture);
    }
}
