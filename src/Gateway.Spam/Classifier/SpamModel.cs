using System.Runtime.InteropServices;
using Gateway.Spam.Features;
using Gateway.Spam.Scanning;

namespace Gateway.Spam.Classifier;

/// <summary>
/// The trainable statistical classifier, models over the same hashed features whose log-odds are weighed together:
/// per-feature ham and spam counts, combined with <see cref="ChiSquareCombiner"/> (exact and incremental, so
/// <see cref="Forget"/> takes back precisely what <see cref="Learn"/> taught), and a <see cref="LogisticModel"/> that
/// weighs correlated features (a word and its bigrams, a host and its domain) against each other instead of counting
/// them twice, with beside it a second logistic model, <see cref="Structure"/>, of all but the words of the text. On
/// the 2002 public corpus the combination ranks newer mail better than any one alone (bench/run-spam.sh --splits).
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

    // Online steps (Learn, Forget) are small so that one message moves the weights little; batch training sweeps the
    // set several times, each weight at a rate of its own (AdaptiveRate), the bias at a rate that decays by sweep
    // (BatchRate). These values, and the L2 strength, were chosen on the 2002 sets of the public corpus by how well a
    // model of older mail ranks newer mail (the bench's time splits), since a model meets mail newer than what it learned.
    private const double OnlineRate = 0.02;
    private const double BatchRate = 0.05;

    /// <summary>
    /// Base rate of batch training's per-weight steps (LogisticModel.AdaptiveStep). Against one decaying rate for all
    /// weights, 0.1 to 0.15 ranked newer mail better in every time split of 2002; 0.05 and 0.2 less so.
    /// </summary>
    private const double AdaptiveRate = 0.1;
    private const double L2 = 3e-3;
    private const int DefaultEpochs = 5;

    /// <summary>
    /// Messages a feature must have been learned in before the logistic model gives it a weight. A feature seen once
    /// (a campaign's one-off id, a misspelling) lets the model memorise that message instead of learning what it
    /// shares with others; on the 2002 sets the pruned model ranks newer mail better (bench/run-spam.sh).
    /// </summary>
    private const int MinWeightedCount = 2;

    /// <summary>
    /// Weight of the counts' log-odds against the logistic margin (which has weight 1 − this). The chi-square
    /// probability is sure of itself, near 0 or 1, also about a campaign it never saw: averaged as a probability it
    /// outvotes the logistic model; weighed in log-odds, the logistic model leads and the counts sharpen it. Chosen
    /// on the 2002 sets by the time splits (how well a model of older mail ranks newer mail).
    /// </summary>
    private const double CountsWeight = 0.3;

    /// <summary>
    /// Weight of the structure model's margin (<see cref="Structure"/>) against the full logistic model's in the logistic
    /// part. Words explain away much of what the message's make-up says when one model learns both; a model that sees
    /// only the make-up has to learn it, and how a message is built changes more slowly than a campaign's words. Chosen
    /// on the 2002 sets by the time splits: 0.2 to 0.6 all ranked newer mail better than the full model alone, more
    /// the higher; 0.5 keeps the cross-validated false positives of the full model.
    /// </summary>
    private const double StructureWeight = 0.5;

    /// <summary>The counts' probability is held this far from 0 and 1, so that its log-odds stay finite.</summary>
    private const double CountsClamp = 1e-4;

    internal Dictionary<uint, FeatureCounts> Counts { get; } = [];

    /// <summary>Set by <see cref="Freeze"/>: the counts and weights are gone, only the scoring table is left.</summary>
    private int? _frozenFeatures;

    /// <summary>Built at the first scoring after the model last changed; any change drops it.</summary>
    private ScoringTable? _table;

    internal LogisticModel Logistic
    {
        get;
        set
        {
            field = value;
            _table = null;
        }
    } = new();

    /// <summary>
    /// A second logistic model over the features that are not words of the text (FeatureKind): headers, relays, links,
    /// markup, structure and style. A model file from before it has none (no updates), and scoring then leaves it out.
    /// </summary>
    internal LogisticModel Structure
    {
        get;
        set
        {
            field = value;
            _table = null;
        }
    } = new();

    public int HamMessages
    {
        get;
        internal set
        {
            field = value;
            _table = null;
        }
    }

    public int SpamMessages
    {
        get;
        internal set
        {
            field = value;
            _table = null;
        }
    }

    public int FeatureCount => _frozenFeatures ?? Counts.Count;

    /// <summary>The model file format this model was read from; a model made here has the current one.</summary>
    public int FileVersion { get; internal init; } = SpamModelFile.Version;

    /// <summary>
    /// Read from a version 1 file, written before a feature id carried its kind (word of the text or not) in its top
    /// bit: about half of its features no longer match what the scanner extracts, so it scores with part of its
    /// knowledge and must be retrained, not extended.
    /// </summary>
    public bool IsOutdated => FileVersion < SpamModelFile.Version;

    /// <summary>The model has been frozen for scoring: it can no longer learn, forget or be saved.</summary>
    public bool IsFrozen => _frozenFeatures is not null;

    /// <summary>Enough of both kinds learned to give a meaningful probability.</summary>
    public bool IsTrained => HamMessages > 0 && SpamMessages > 0;

    /// <summary>Learns one message (released from quarantine, reported by a user): counts, and one online step.</summary>
    public void Learn(ReadOnlyMemory<byte> message, bool isSpam, ScanLimits? limits = null)
    {
        ThrowIfFrozen();
        var features = Extract(message, limits);
        Update(features, isSpam, +1);
        var recurring = Recurring(features);
        Logistic.Step(recurring, isSpam, OnlineRate, L2);
        Structure.Step(NotWords(recurring), isSpam, OnlineRate, L2);
        _table = null;
    }

    /// <summary>
    /// Takes back one earlier <see cref="Learn"/> of the same message with the same label: exactly for the counts,
    /// and by a step against the label for the weights (a gradient step cannot be undone exactly, only reversed).
    /// </summary>
    public void Forget(ReadOnlyMemory<byte> message, bool isSpam, ScanLimits? limits = null)
    {
        ThrowIfFrozen();
        var features = Extract(message, limits);
        // The features Learn stepped on, chosen before the counts drop back.
        var recurring = Recurring(features);
        Update(features, isSpam, -1);
        Logistic.Step(recurring, isSpam, OnlineRate, L2, direction: -1);
        Structure.Step(NotWords(recurring), isSpam, OnlineRate, L2, direction: -1);
        _table = null;
    }

    /// <summary>
    /// Learns a whole training set: counts for every message, then several shuffled sweeps of adaptive steps (the
    /// shuffle is seeded, so the same set gives the same model). Adds to what the model already knew.
    /// </summary>
    public void Train(IEnumerable<(ReadOnlyMemory<byte> Message, bool IsSpam)> messages, int epochs = DefaultEpochs, ScanLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ThrowIfFrozen();
        var set = messages.Select(m => (Features: Extract(m.Message, limits), m.IsSpam)).ToArray();
        foreach (var (features, isSpam) in set)
        {
            Update(features, isSpam, +1);
        }

        set = [.. set.Select(m => (Recurring(m.Features), m.IsSpam))];
        var structure = set.Select(m => NotWords(m.Features)).ToArray();

        var order = Enumerable.Range(0, set.Length).ToArray();
        var shuffle = new Random(set.Length);
        // Each weight's squared gradients in this run: training continues from the weights the model had, each with
        // a fresh rate of its own.
        var squares = new float[Logistic.Weights.Length];
        var structureSquares = new float[Structure.Weights.Length];
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            shuffle.Shuffle(order);
            var biasRate = BatchRate / Math.Sqrt(1 + epoch);
            foreach (var i in order)
            {
                Logistic.AdaptiveStep(set[i].Features, set[i].IsSpam, AdaptiveRate, biasRate, L2, squares);
                Structure.AdaptiveStep(structure[i], set[i].IsSpam, AdaptiveRate, biasRate, L2, structureSquares);
            }
        }

        _table = null;
    }

    /// <summary>Probability in [0, 1] that the message is spam; 0.5 when the model knows nothing useful.</summary>
    public double Classify(ReadOnlyMemory<byte> message, ScanLimits? limits = null) => Classify(Extract(message, limits));

    internal double Classify(ReadOnlySpan<uint> features) => Classify(features, []);

    /// <summary>The probability, with <paramref name="clues"/> (emptied first) as working space a caller may reuse.</summary>
    internal double Classify(ReadOnlySpan<uint> features, List<double> clues)
    {
        if (!IsTrained)
        {
            return 0.5;
        }

        // One lookup per feature serves both models (ScoringTable).
        var table = _table ?? BuildTable();
        clues.Clear();
        double margin = table.Bias;
        foreach (var feature in features)
        {
            if (table.TryGet(feature, out var p, out var weight))
            {
                if (Math.Abs(p - 0.5) >= MinStrength)
                {
                    clues.Add(p);
                }

                margin += weight;
            }
        }

        var counted = CountsProbability(clues);
        if (Logistic.Updates == 0)
        {
            return counted;
        }

        var clamped = Math.Clamp(counted, CountsClamp, 1 - CountsClamp);
        return LogisticModel.Sigmoid((CountsWeight * Math.Log(clamped / (1 - clamped))) + ((1 - CountsWeight) * margin));
    }

    private static double CountsProbability(List<double> clues)
    {
        if (clues.Count > MaxClues)
        {
            StrongestClues.MoveToFront(CollectionsMarshal.AsSpan(clues), MaxClues);
            clues.RemoveRange(MaxClues, clues.Count - MaxClues);
        }

        return ChiSquareCombiner.Combine(clues);
    }

    /// <summary>
    /// Builds the scoring table and lets go of what only learning needs: the per-feature counts and the two logistic
    /// models' weight tables, which on the public corpus's model hold more than twice the table's memory (tens of MB in the
    /// large-object heap of every process that scores). The gateway's scorer never learns (training runs in the `spam
    /// train` command on a model of its own), so a model it loads is frozen before it serves.
    /// </summary>
    public void Freeze()
    {
        if (IsFrozen)
        {
            return;
        }

        var table = BuildTable();
        var features = Counts.Count;
        Counts.Clear();
        Counts.TrimExcess();
        Logistic = new LogisticModel([], Logistic.Bias, Logistic.Updates);
        Structure = new LogisticModel([], Structure.Bias, Structure.Updates);
        _table = table;
        _frozenFeatures = features;
    }

    internal void ThrowIfFrozen()
    {
        if (IsFrozen)
        {
            throw new InvalidOperationException("this spam model was frozen for scoring and can no longer learn or be saved");
        }
    }

    /// <summary>
    /// The logistic model reads only the weights of features it was allowed to learn (MinWeightedCount): any other slot
    /// of its hashed table belongs to some other feature, so such a feature weighs 0 here. Scoring may run on many
    /// threads: each may build the table once, one of them is kept. The two logistic models' margins are weighed
    /// together feature by feature (and bias by bias), so scoring reads one weight per feature, as with one model.
    /// </summary>
    private ScoringTable BuildTable()
    {
        var structureWeight = Structure.Updates > 0 ? StructureWeight : 0;
        var built = new ScoringTable(
            Counts,
            FeatureProbability,
            (feature, counts) => counts.Ham + counts.Spam < MinWeightedCount ? 0f
                : (float)(((1 - structureWeight) * Logistic.Weight(feature)) + (FeatureKind.IsWord(feature) ? 0 : structureWeight * Structure.Weight(feature))),
            ((1 - structureWeight) * Logistic.Bias) + (structureWeight * Structure.Bias));
        return Interlocked.CompareExchange(ref _table, built, null) ?? built;
    }

    /// <summary>The features the structure model weighs: all but the words of the text.</summary>
    private static uint[] NotWords(uint[] features) => Array.FindAll(features, f => !FeatureKind.IsWord(f));

    private uint[] Recurring(ReadOnlySpan<uint> features)
    {
        var recurring = new List<uint>(features.Length);
        foreach (var feature in features)
        {
            if (Counts.TryGetValue(feature, out var counts) && counts.Ham + counts.Spam >= MinWeightedCount)
            {
                recurring.Add(feature);
            }
        }

        return [.. recurring];
    }

    internal void Update(ReadOnlySpan<uint> features, bool isSpam, int delta)
    {
        ThrowIfFrozen();
        _table = null;
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

    /// <summary>The message's distinct features, in the order the scanner met them.</summary>
    internal static uint[] Extract(ReadOnlyMemory<byte> message, ScanLimits? limits) =>
        MessageFeatures.Extract(MessageScanner.Scan(message, limits ?? ScanLimits.Default, CancellationToken.None)).Features.ToArray();
}
