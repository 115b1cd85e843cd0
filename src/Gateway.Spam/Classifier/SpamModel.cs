using Gateway.Spam.Features;
using Gateway.Spam.Scanning;

namespace Gateway.Spam.Classifier;

/// <summary>
/// The trainable statistical classifier: for each hashed feature, how many learned ham and spam messages carried it.
/// Counts rather than fitted weights, so that <see cref="Learn"/> and <see cref="Forget"/> are exact and incremental
/// (releasing a quarantined message can take back what it taught) and the model file is a plain table. A message's
/// probability combines its most telling features with <see cref="ChiSquareCombiner"/>.
/// </summary>
/// <remarks>Learning mutates the model: learn on a private instance and hand the scorer a loaded file, as the
/// `train` command and the pipeline do; scoring alone may run on many threads.</remarks>
public sealed class SpamModel
{
    /// <summary>Weight of the neutral prior against the evidence of a rarely seen feature (Robinson's s).</summary>
    private const double PriorStrength = 0.45;

    /// <summary>Features whose probability is closer than this to 0.5 are ignored as noise.</summary>
    private const double MinStrength = 0.1;

    /// <summary>Most telling features combined per message, so that long messages do not swamp the test.</summary>
    private const int MaxClues = 150;

    internal Dictionary<uint, FeatureCounts> Counts { get; } = [];

    public int HamMessages { get; internal set; }

    public int SpamMessages { get; internal set; }

    public int FeatureCount => Counts.Count;

    /// <summary>Enough of both kinds learned to give a meaningful probability.</summary>
    public bool IsTrained => HamMessages > 0 && SpamMessages > 0;

    public void Learn(ReadOnlyMemory<byte> message, bool isSpam, ScanLimits? limits = null) =>
        Update(Extract(message, limits), isSpam, +1);

    /// <summary>Takes back one earlier <see cref="Learn"/> of the same message with the same label.</summary>
    public void Forget(ReadOnlyMemory<byte> message, bool isSpam, ScanLimits? limits = null) =>
        Update(Extract(message, limits), isSpam, -1);

    /// <summary>Probability in [0, 1] that the message is spam; 0.5 when the model knows nothing useful.</summary>
    public double Classify(ReadOnlyMemory<byte> message, ScanLimits? limits = null) => Classify(Extract(message, limits));

    internal double Classify(IReadOnlySet<uint> features)
    {
        if (!IsTrained)
        {
            return 0.5;
        }

        var clues = new List<double>();
        foreach (var feature in features)
        {
            if (Counts.TryGetValue(feature, out var counts))
            {
                var p = FeatureProbability(counts);
                if (Math.Abs(p - 0.5) >= MinStrength)
                {
                    clues.Add(p);
                }
            }
        }

        if (clues.Count > MaxClues)
        {
            clues.Sort((a, b) => Math.Abs(b - 0.5).CompareTo(Math.Abs(a - 0.5)));
            clues.RemoveRange(MaxClues, clues.Count - MaxClues);
        }

        return ChiSquareCombiner.Combine(clues);
    }

    internal void Update(IReadOnlySet<uint> features, bool isSpam, int delta)
    {
        foreach (var feature in features)
        {
            Counts.TryGetValue(feature, out var counts);
            counts = isSpam ? counts with { Spam = Math.Max(0, counts.Spam + delta) } : counts with { Ham = Math.Max(0, counts.Ham + delta) };
            if (counts.Ham == 0 && counts.Spam == 0)
            {
                Counts.Remove(feature);
            }
            else
            {
                Counts[feature] = counts;
            }
        }

        if (isSpam)
        {
            SpamMessages = Math.Max(0, SpamMessages + delta);
        }
        else
        {
            HamMessages = Math.Max(0, HamMessages + delta);
        }
    }

    private double FeatureProbability(FeatureCounts counts)
    {
        // Ratios rather than raw counts, so that learning more ham than spam does not bias every feature toward ham.
        var hamRatio = (double)Math.Min(counts.Ham, HamMessages) / HamMessages;
        var spamRatio = (double)Math.Min(counts.Spam, SpamMessages) / SpamMessages;
        var p = spamRatio / (hamRatio + spamRatio);
        var n = counts.Ham + counts.Spam;
        var adjusted = ((PriorStrength * 0.5) + (n * p)) / (PriorStrength + n);
        return Math.Clamp(adjusted, 0.0001, 0.9999);
    }

    internal static HashSet<uint> Extract(ReadOnlyMemory<byte> message, ScanLimits? limits) =>
        MessageFeatures.Extract(MessageScanner.Scan(message, limits ?? ScanLimits.Default, CancellationToken.None)).Features;
}
