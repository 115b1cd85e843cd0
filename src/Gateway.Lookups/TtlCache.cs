namespace Gateway.Lookups;

/// <summary>
/// A bounded map whose entries each expire at their own time (by the injected clock); when full, the entry
/// closest to expiry makes room. Thread-safe by a single lock: lookups are rare next to the network calls they save.
/// </summary>
public sealed class TtlCache<TKey, TValue>
    where TKey : notnull
{
    private readonly Dictionary<TKey, (TValue Value, DateTimeOffset Expires)> _entries;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly Lock _lock = new();

    public TtlCache(TimeProvider time, int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _time = time;
        _capacity = capacity;
        _entries = new Dictionary<TKey, (TValue, DateTimeOffset)>(comparer);
    }

    public bool TryGet(TKey key, out TValue value)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (entry.Expires > _time.GetUtcNow())
                {
                    value = entry.Value;
                    return true;
                }

                _entries.Remove(key);
            }
        }

        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value, TimeSpan ttl)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (!_entries.ContainsKey(key) && _entries.Count >= _capacity)
            {
                // Linear, but only when full; expired entries go first as they sort earliest.
                var victim = _entries.MinBy(e => e.Value.Expires).Key;
                _entries.Remove(victim);
            }

            _entries[key] = (value, now + ttl);
        }
    }
}
