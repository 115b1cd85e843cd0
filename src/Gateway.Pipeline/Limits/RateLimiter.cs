namespace Gateway.Pipeline.Limits;

/// <summary>
/// One limit to check and count: at most <see cref="Limit"/> events per <see cref="Window"/> for one key (a client
/// address, a network, a user, a sender) and one measure (connections, messages, recipients).
/// </summary>
public readonly record struct RateLimitRequest(string Scope, string Measure, string Subject, int Limit, TimeSpan Window)
{
    public string Key => string.Concat(Scope, "/", Measure, "/", Subject);
}

/// <summary>
/// The rate limits' counters for the whole process, shared by every session and kept across policy reloads (the host owns
/// it; a policy snapshot only says what the limits are).
/// <para>
/// Token buckets, not sliding windows: each key holds up to N tokens, one is taken per event, and they come back evenly,
/// N per window (one every window/N). So a burst of N passes and the (N+1)th is refused, as a window count would, and
/// after that the key may go on at the steady rate of N per window, never more; a bucket needs two numbers, whatever the
/// rate, where a sliding log would keep a time per event. A limit changed by a reload applies to the next event (a bucket
/// never holds more than its new limit).
/// </para>
/// <para>
/// Bounded memory: a full bucket is the same as no bucket, so idle keys are dropped by a sweep once a minute; when
/// <see cref="MaxKeys"/> is reached anyway, full buckets go first, then the least recently used, down to 90 % of it.
/// </para>
/// </summary>
public sealed class RateLimiter
{
    private const double Epsilon = 1e-9;
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private long _lastSweep;
    private int _maxKeys;

    public RateLimiter(TimeProvider time, int maxKeys = 100_000)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        _time = time;
        _maxKeys = maxKeys;
        _lastSweep = time.GetUtcNow().UtcTicks;
    }

    /// <summary>The most keys tracked at once; the policy in force sets it (rate_limits.max_tracked).</summary>
    public int MaxKeys
    {
        get => Volatile.Read(ref _maxKeys);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref _maxKeys, value);
        }
    }

    /// <summary>How many keys are tracked now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _buckets.Count;
            }
        }
    }

    /// <summary>Keys dropped because <see cref="MaxKeys"/> was reached while they were not idle (since start).</summary>
    public long Evicted { get; private set; }

    /// <summary>
    /// Counts one event against every request, all or none: -1 when each had room (one token is taken from each), else the
    /// index of the first request over its limit (nothing is taken, so a refused event does not use up the other keys).
    /// </summary>
    public int TryTake(IReadOnlyList<RateLimitRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            return -1;
        }

        var now = _time.GetUtcNow().UtcTicks;
        var keys = new string[requests.Count];
        var tokens = new double[requests.Count];
        lock (_gate)
        {
            if (now - _lastSweep >= SweepInterval.Ticks || now < _lastSweep)
            {
                SweepIdle(now);
                _lastSweep = now;
            }

            for (var i = 0; i < requests.Count; i++)
            {
                var request = requests[i];
                ArgumentOutOfRangeException.ThrowIfLessThan(request.Limit, 1);
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(request.Window, TimeSpan.Zero);
                keys[i] = request.Key;
                tokens[i] = _buckets.TryGetValue(keys[i], out var bucket) ? bucket.Available(now, request.Limit, request.Window.Ticks) : request.Limit;
                if (tokens[i] < 1 - Epsilon)
                {
                    return i;
                }
            }

            for (var i = 0; i < requests.Count; i++)
            {
                if (!_buckets.TryGetValue(keys[i], out var bucket))
                {
                    MakeRoom(now);
                    bucket = new Bucket();
                    _buckets[keys[i]] = bucket;
                }

                bucket.Tokens = tokens[i] - 1;
                bucket.Updated = now;
                bucket.Limit = requests[i].Limit;
                bucket.WindowTicks = requests[i].Window.Ticks;
            }
        }

        return -1;
    }

    private void MakeRoom(long now)
    {
        var max = MaxKeys;
        if (_buckets.Count < max)
        {
            return;
        }

        SweepIdle(now);
        if (_buckets.Count < max)
        {
            return;
        }

        // Still full of keys in use: the least recently used go, with room left so this is not paid on every new key.
        var excess = _buckets.Count - (max - Math.Max(1, max / 10));
        foreach (var key in _buckets.OrderBy(b => b.Value.Updated).Take(excess).Select(b => b.Key).ToList())
        {
            _buckets.Remove(key);
        }

        Evicted += excess;
    }

    /// <summary>Drops the buckets that have refilled: an absent key starts full, so nothing changes for it.</summary>
    private void SweepIdle(long now)
    {
        List<string>? idle = null;
        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.Available(now, bucket.Limit, bucket.WindowTicks) >= bucket.Limit - Epsilon)
            {
                (idle ??= []).Add(key);
            }
        }

        if (idle is not null)
        {
            foreach (var key in idle)
            {
                _buckets.Remove(key);
            }
        }
    }

    private sealed class Bucket
    {
        public double Tokens;
        public long Updated;
        public int Limit;
        public long WindowTicks;

        /// <summary>The tokens at <paramref name="now"/> under the given limit: refilled by limit per window, never above it.</summary>
        public double Available(long now, int limit, long windowTicks)
        {
            var elapsed = Math.Max(0, now - Updated);
            return Math.Min(limit, Tokens + ((double)elapsed * limit / windowTicks));
        }
    }
}
