namespace Gateway.Smtp.Server.Sessions;

/// <summary>
/// A minimum data rate for one transfer (a command line once its first octet arrived, a message body, a BDAT chunk),
/// as Kestrel applies one to request bodies: after a grace period, the octets received must keep up with the rate
/// averaged since the start. Without it a client sending one octet now and then restarts every read timeout and holds
/// the session until its deadline (a slowloris).
/// </summary>
internal sealed class TransferRate
{
    private readonly TimeProvider _time;
    private readonly int _minRate;
    private readonly TimeSpan _grace;
    private readonly long _started;

    public TransferRate(TimeProvider time, int minRate, TimeSpan grace)
    {
        _time = time;
        _minRate = minRate;
        _grace = grace;
        _started = time.GetTimestamp();
    }

    /// <summary>
    /// How long the transfer may wait for more, having received <paramref name="received"/> octets: until the grace
    /// period ends or until the average would fall below the minimum, whichever is later. Null when no minimum applies.
    /// </summary>
    public TimeSpan? Allowance(long received)
    {
        if (_minRate <= 0)
        {
            return null;
        }

        var due = TimeSpan.FromSeconds(received / (double)_minRate);
        if (due < _grace)
        {
            due = _grace;
        }

        var left = due - _time.GetElapsedTime(_started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
