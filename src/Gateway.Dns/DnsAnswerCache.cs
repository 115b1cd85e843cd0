using System.Collections.Concurrent;
using System.Net;
using Gateway.Abstractions;

namespace Gateway.Dns;

/// <summary>
/// Answers of <see cref="DnsClientResolver"/> kept for their TTL: positive ones for the smallest TTL of their
/// records, NXDOMAIN/NODATA for the negative TTL of RFC 2308 5. SERVFAIL and timeouts are not kept, so the next
/// question asks again. Bounded twice (Invariant 4: no unbounded memory from remote input): by entries and by the
/// estimated bytes the answers take, because one TXT answer can be 64 KiB on the wire (RFC 7766 over TCP) while
/// an A answer is a few dozen octets. When a new answer does not fit, expired answers go first, then the least
/// recently used ones.
/// </summary>
internal sealed class DnsAnswerCache
{
    // Managed-heap cost of one entry beyond its records: the dictionary node, the key, the entry, the answer
    // record and its list (measured order of magnitude on 64-bit .NET; an estimate, not an accounting).
    private const int EntryOverhead = 200;
    private const int StringOverhead = 24;
    private const int ReferenceSize = 8;

    private readonly ConcurrentDictionary<DnsCacheKey, Entry> _entries = new();
    private readonly Lock _writeGate = new();
    private readonly TimeProvider _time;
    private readonly int _maxEntries;
    private readonly long _maxBytes;
    private readonly TimeSpan _maxTtl;
    private readonly TimeSpan _maxNegativeTtl;
    private long _bytes;
    private int _generation;

    // Orders uses for the least-recently-used eviction; a counter rather than the clock, so ties cannot happen.
    private long _useCounter;

    public DnsAnswerCache(TimeProvider time, int maxEntries, long maxBytes, TimeSpan maxTtl, TimeSpan maxNegativeTtl)
    {
        _time = time;
        _maxEntries = maxEntries;
        _maxBytes = maxBytes;
        _maxTtl = maxTtl;
        _maxNegativeTtl = maxNegativeTtl;
    }

    public int Count => _entries.Count;

    /// <summary>The estimated bytes the cached answers take.</summary>
    public long Bytes
    {
        get
        {
            lock (_writeGate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>
    /// Changes whenever the cache is flushed: an answer to a question asked before the flush is not added
    /// after it (it may come from the servers the flush was about).
    /// </summary>
    public int Generation => Volatile.Read(ref _generation);

    public bool TryGet<T>(DnsCacheKey key, out DnsAnswer<T> answer)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Answer is DnsAnswer<T> cached)
        {
            var now = _time.GetUtcNow();
            var remaining = entry.Expires - now;
            if (remaining > TimeSpan.Zero)
            {
                entry.Touch(Interlocked.Increment(ref _useCounter));

                // The TTL left, as a caching resolver would hand it on (RFC 1035 3.2.1 counts down).
                answer = cached with { Ttl = TimeSpan.FromSeconds(Math.Ceiling(remaining.TotalSeconds)) };
                return true;
            }

            lock (_writeGate)
            {
                RemoveLocked(key, entry);
            }
        }

        answer = null!;
        return false;
    }

    public void Add<T>(DnsCacheKey key, DnsAnswer<T> answer, int generation)
    {
        if (_maxEntries <= 0 || _maxBytes <= 0 || answer.Status is DnsStatus.ServerFailure or DnsStatus.Timeout || answer.Ttl <= TimeSpan.Zero)
        {
            return;
        }

        var size = EstimateBytes(key, answer);
        if (size > _maxBytes)
        {
            return;
        }

        var cap = answer.Status == DnsStatus.Ok ? _maxTtl : _maxNegativeTtl;
        var ttl = answer.Ttl < cap ? answer.Ttl : cap;
        var now = _time.GetUtcNow();
        var entry = new Entry(answer, now + ttl, size, Interlocked.Increment(ref _useCounter));
        lock (_writeGate)
        {
            if (generation != _generation)
            {
                return;
            }

            if (_entries.TryGetValue(key, out var old))
            {
                RemoveLocked(key, old);
            }

            if (_entries.Count + 1 > _maxEntries || _bytes + size > _maxBytes)
            {
                MakeRoomLocked(now, size);
            }

            _entries[key] = entry;
            _bytes += size;
        }
    }

    /// <summary>Forgets every answer (the servers they came from are no longer the ones asked).</summary>
    public void Clear()
    {
        lock (_writeGate)
        {
            _entries.Clear();
            _bytes = 0;
            Interlocked.Increment(ref _generation);
        }
    }

    /// <summary>
    /// Expired answers first, then the least recently used, until the new one fits with some slack (1/16 of each
    /// bound), so a full cache sorts its entries once per many additions rather than once per addition.
    /// </summary>
    private void MakeRoomLocked(DateTimeOffset now, long size)
    {
        var entryTarget = _maxEntries - 1 - (_maxEntries / 16);
        var byteTarget = _maxBytes - size - (_maxBytes / 16);
        var live = new List<KeyValuePair<DnsCacheKey, Entry>>(_entries.Count);
        foreach (var pair in _entries)
        {
            if (pair.Value.Expires <= now)
            {
                RemoveLocked(pair.Key, pair.Value);
            }
            else
            {
                live.Add(pair);
            }
        }

        if (_entries.Count <= entryTarget && _bytes <= byteTarget)
        {
            return;
        }

        live.Sort(static (a, b) => a.Value.LastUsed.CompareTo(b.Value.LastUsed));
        foreach (var (key, entry) in live)
        {
            if (_entries.Count <= entryTarget && _bytes <= byteTarget)
            {
                return;
            }

            RemoveLocked(key, entry);
        }
    }

    private void RemoveLocked(DnsCacheKey key, Entry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<DnsCacheKey, Entry>(key, entry)))
        {
            _bytes -= entry.Size;
        }
    }

    /// <summary>What one answer costs on the managed heap, roughly: strings as UTF-16, addresses as objects.</summary>
    internal static long EstimateBytes<T>(DnsCacheKey key, DnsAnswer<T> answer)
    {
        long size = EntryOverhead + StringOverhead + (2L * key.Name.Length);
        foreach (var record in answer.Records)
        {
            size += ReferenceSize + record switch
            {
                string text => StringOverhead + (2L * text.Length),
                MxRecord mx => 32 + StringOverhead + (2L * mx.Exchange.Length),
                TlsaRecord tlsa => 56 + tlsa.Data.Length,

                // An IPv6 address carries its 16 octets in a separate array.
                IPAddress address => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 72 : 40,
                _ => 32,
            };
        }

        return size;
    }

    private sealed class Entry(object answer, DateTimeOffset expires, long size, long added)
    {
        private long _lastUsed = added;

        public object Answer { get; } = answer;

        public DateTimeOffset Expires { get; } = expires;

        public long Size { get; } = size;

        public long LastUsed => Volatile.Read(ref _lastUsed);

        public void Touch(long use) => Volatile.Write(ref _lastUsed, use);
    }
}
