using System.Runtime.InteropServices;

namespace Gateway.Spam.Classifier;

/// <summary>
/// What scoring reads per feature (its counts' probability and its logistic weight) in one flat, open-addressed table,
/// built from a model that no longer changes. A message asks for thousands of features, most of them unknown, in a
/// table of hundreds of thousands: the dictionary's bucket, its entry and the weight table were three cache misses per
/// feature, a probe here is usually one.
/// </summary>
internal sealed class ScoringTable
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Slot
    {
        public uint Key;

        /// <summary>The logistic weight, 0 for a feature the logistic model may not weigh (learned too rarely).</summary>
        public float Weight;

        /// <summary>The counts' probability, never 0 for a filled slot (it is clamped away from 0 and 1).</summary>
        public double Probability;
    }

    private readonly Slot[] _slots;
    private readonly int _shift;

    public ScoringTable(IReadOnlyDictionary<uint, FeatureCounts> counts, Func<FeatureCounts, double> probability, Func<uint, FeatureCounts, float> weight, double bias)
    {
        Bias = bias;
        // At most 70 % full: a lookup of an unknown feature, the common case, ends within a few neighbouring slots.
        var bits = 4;
        while ((1L << bits) * 7 / 10 < counts.Count)
        {
            bits++;
        }

        _slots = new Slot[1 << bits];
        _shift = 32 - bits;
        var mask = _slots.Length - 1;
        foreach (var (key, value) in counts)
        {
            var i = Index(key);
            while (_slots[i].Probability != 0)
            {
                i = (i + 1) & mask;
            }

            _slots[i] = new Slot { Key = key, Weight = weight(key, value), Probability = probability(value) };
        }
    }

    /// <summary>The logistic margin of a message without any known feature.</summary>
    public double Bias { get; }

    public bool TryGet(uint feature, out double probability, out float weight)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        for (var i = Index(feature); ; i = (i + 1) & mask)
        {
            ref var slot = ref slots[i];
            if (slot.Probability == 0)
            {
                probability = 0;
                weight = 0;
                return false;
            }

            if (slot.Key == feature)
            {
                probability = slot.Probability;
                weight = slot.Weight;
                return true;
            }
        }
    }

    // Fibonacci hashing: the ids are FNV hashes already, but their low bits are what the logistic table indexes by,
    // and mixing keeps the two independent.
    private int Index(uint feature) => (int)((feature * 0x9E3779B9u) >> _shift);
}
