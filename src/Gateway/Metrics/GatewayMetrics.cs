namespace Gateway.Host.Metrics;

/// <summary>
/// The gateway's counters and the delivery-latency histogram. One instance per process (DI singleton), updated
/// with Interlocked so the hot paths never lock; read by the /metrics endpoint.
/// </summary>
internal sealed class GatewayMetrics
{
    /// <summary>
    /// Latency buckets in seconds: from sub-second relays to the retry horizon (5 min first retry, 6 h delay
    /// notice, 2 d bounce), so both healthy flow and retry storms are visible.
    /// </summary>
    public static readonly double[] LatencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 172800];

    private readonly long[] _latencyCounts = new long[LatencyBuckets.Length + 1];
    private long _accepted;
    private long _rejected;
    private long _tempFailed;
    private long _delivered;
    private long _deferred;
    private long _bounced;
    private long _expired;
    private long _notices;
    private long _latencySumMicros;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Rejected => Interlocked.Read(ref _rejected);

    public long TempFailed => Interlocked.Read(ref _tempFailed);

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Deferred => Interlocked.Read(ref _deferred);

    public long Bounced => Interlocked.Read(ref _bounced);

    public long Expired => Interlocked.Read(ref _expired);

    public long Notices => Interlocked.Read(ref _notices);

    public double LatencySumSeconds => Interlocked.Read(ref _latencySumMicros) / 1_000_000.0;

    /// <summary>Records the final reply to one message transaction (end of DATA / BDAT LAST).</summary>
    public void TransactionEnded(int replyCode)
    {
        if (replyCode < 400)
        {
            Interlocked.Increment(ref _accepted);
        }
        else if (replyCode < 500)
        {
            Interlocked.Increment(ref _tempFailed);
        }
        else
        {
            Interlocked.Increment(ref _rejected);
        }
    }

    public void RecipientDelivered(TimeSpan latency)
    {
        Interlocked.Increment(ref _delivered);
        var seconds = Math.Max(0, latency.TotalSeconds);
        Interlocked.Add(ref _latencySumMicros, (long)(seconds * 1_000_000));
        var bucket = Array.FindIndex(LatencyBuckets, b => seconds <= b);
        Interlocked.Increment(ref _latencyCounts[bucket < 0 ? LatencyBuckets.Length : bucket]);
    }

    public void RecipientDeferred() => Interlocked.Increment(ref _deferred);

    public void RecipientBounced() => Interlocked.Increment(ref _bounced);

    public void RecipientExpired() => Interlocked.Increment(ref _expired);

    public void NoticeSent() => Interlocked.Increment(ref _notices);

    /// <summary>Cumulative bucket counts as Prometheus wants them (each includes all smaller buckets), then +Inf.</summary>
    public long[] CumulativeLatencyCounts()
    {
        var result = new long[_latencyCounts.Length];
        long running = 0;
        for (var i = 0; i < _latencyCounts.Length; i++)
        {
            running += Interlocked.Read(ref _latencyCounts[i]);
            result[i] = running;
        }

        return result;
    }
}
