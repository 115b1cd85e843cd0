using System.Collections.Concurrent;
using Gateway.Abstractions;

namespace Gateway.Dns;

/// <summary>
/// Answers of <see cref="DnsClientResolver"/> kept for their TTL: positive ones for the smallest TTL of their
/// records, NXDOMAIN/NODATA for the negative TTL of RFC 2308 5. SERVFAIL and timeouts are not kept, so the next
/// question asks again. Bounded: when full, expired entries are swept (at most once a second) and a new answer
/// that still does not fit is simply not cached (Invariant 4: no unbounded memory from remote input).
/// </summary>
internal sealed class DnsAnswerCache
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<DnsCacheKey, Entry> _entries = new();
    private readonly TimeProvider _time;
    private readonly int _maxEntries;
    private readonly TimeSpan _maxTtl;
    private readonly TimeSpan _maxNegativeTtl;
    private long _nextSweepTicks;

    public DnsAnswerCache(TimeProvider time, int maxEntries, TimeSpan maxTtl, TimeSpan maxNegativeTtl)
    {
        _time = time;
        _maxEntries = maxEntries;
        _maxTtl = maxTtl;
        _maxNegativeTtl = maxNegativeTtl;
    }

    public int Count => _entries.Count;

    public bool TryGet<T>(DnsCacheKey key, out DnsAnswer<T> answer)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Answer is DnsAnswer<T> cached)
        {
            var remaining = entry.Expires - _time.GetUtcNow();
            if (remaining > TimeSpan.Zero)
            {
                // The TTL left, as a caching resolver would hand it on (RFC 1035 3.2.1 counts down).
                answer = cached with { Ttl = TimeSpan.FromSeconds(Math.Ceiling(remaining.TotalSeconds)) };
                return true;
            }

            _entries.TryRemove(new KeyValuePair<DnsCacheKey, Entry>(key, entry));
        }

        answer = null!;
        return false;
    }

    public void Add<T>(DnsCacheKey key, DnsAnswer<T> answer)
    {
        if (_maxEntries <= 0 || answer.Status is DnsStatus.ServerFailure or DnsStatus.Timeout || answer.Ttl <= TimeSpan.Zero)
        {
            return;
        }

        var cap = answer.Status == DnsStatus.Ok ? _maxTtl : _maxNegativeTtl;
        var ttl = answer.Ttl < cap ? answer.Ttl : cap;
        var now = _time.GetUtcNow();
        if (_entries.Count >= _maxEntries && !_entries.ContainsKey(key))
        {
            Sweep(now);
            if (_entries.Count >= _maxEntries)
            {
                return;
            }
        }

        _entries[key] = new Entry(answer, now + ttl);
    }

    private void Sweep(DateTimeOffset now)
    {
        var next = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextSweepTicks, now.UtcTicks + SweepInterval.Ticks, next) != next)
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            if (entry.Expires <= now)
            {
                _entries.TryRemove(new KeyValuePair<DnsCacheKey, Entry>(key, entry));
            }
        }
    }

    private sealed record Entry(object Answer, DateTimeOffset Expires);
}
