using System.Collections;

namespace Gateway.Spam.Features;

/// <summary>
/// A message's distinct feature ids in the order first added: a list with an open-addressed index beside it. A
/// message adds thousands of ids, most of them again (the same word, the same pair); this is the cheapest way to drop
/// the repeats, and the order stays that of the message, so a score is the same however often the set was reused.
/// </summary>
internal sealed class FeatureSet : IReadOnlyCollection<uint>
{
    private uint[] _items = new uint[256];

    private Slot[] _slots = new Slot[512];

    /// <summary>Where each item sits in <see cref="_slots"/>, so that clearing touches only the used slots.</summary>
    private int[] _slotOf = new int[256];

    public int Count { get; private set; }

    /// <summary>An id and its place in <see cref="_items"/> plus one; 0 marks an empty slot.</summary>
    private readonly record struct Slot(uint Key, int Position);

    public ReadOnlySpan<uint> Items => _items.AsSpan(0, Count);

    /// <summary>Adds the id unless present; true when it was new.</summary>
    public bool Add(uint feature)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        var i = Index(feature);
        while (slots[i].Position != 0)
        {
            if (slots[i].Key == feature)
            {
                return false;
            }

            i = (i + 1) & mask;
        }

        if (Count == _items.Length)
        {
            Grow();
            return Add(feature);
        }

        _items[Count] = feature;
        _slotOf[Count] = i;
        slots[i] = new Slot(feature, ++Count);
        return true;
    }

    public bool Contains(uint feature)
    {
        var mask = _slots.Length - 1;
        for (var i = Index(feature); _slots[i].Position != 0; i = (i + 1) & mask)
        {
            if (_slots[i].Key == feature)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Empties the set and keeps its storage.</summary>
    public void Clear()
    {
        for (var i = 0; i < Count; i++)
        {
            _slots[_slotOf[i]] = default;
        }

        Count = 0;
    }

    public uint[] ToArray() => Items.ToArray();

    public ReadOnlySpan<uint>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<uint> IEnumerable<uint>.GetEnumerator() => ((IEnumerable<uint>)ToArray()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => ToArray().GetEnumerator();

    // Half full at most, so that a probe for a new id ends within a slot or two.
    private void Grow()
    {
        var items = _items;
        var count = Count;
        _items = new uint[items.Length * 2];
        _slotOf = new int[items.Length * 2];
        _slots = new Slot[items.Length * 4];
        Count = 0;
        foreach (var item in items.AsSpan(0, count))
        {
            Add(item);
        }
    }

    // The ids are FNV hashes; Fibonacci hashing spreads them over the table whatever their low bits share.
    private int Index(uint feature) => (int)(((ulong)(feature * 0x9E3779B9u) * (uint)_slots.Length) >> 32);
}
