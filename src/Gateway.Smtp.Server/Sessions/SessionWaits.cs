namespace Gateway.Smtp.Server.Sessions;

/// <summary>
/// The cancellation of a session's network waits (a read for a command or for message data, a flush of replies): the
/// wait's own time limit, the session deadline and the server stop. Built once per session and re-armed for each wait,
/// instead of a timer and a linked source per wait: a plain-relayed message waits about ten times, and each pair cost
/// a timer-queue entry, three registrations and their allocations.
/// </summary>
internal sealed class SessionWaits : IDisposable
{
    private readonly TimeProvider _time;
    private readonly CancellationToken _deadline;
    private readonly CancellationToken _idleStop;
    private readonly CancellationToken _hardStop;
    private CancellationTokenSource _limit = null!;
    private CancellationTokenSource _idle = null!;
    private CancellationTokenSource _hard = null!;

    /// <param name="time">The clock of the limits (tests pass a fake one).</param>
    /// <param name="deadline">The session deadline.</param>
    /// <param name="idleStop">The server is stopping: a wait for a command ends at once.</param>
    /// <param name="hardStop">The stop deadline passed: every wait ends.</param>
    public SessionWaits(TimeProvider time, CancellationToken deadline, CancellationToken idleStop, CancellationToken hardStop)
    {
        _time = time;
        _deadline = deadline;
        _idleStop = idleStop;
        _hardStop = hardStop;
        Build();
    }

    /// <summary>Whether the last wait ended because its own limit ran out (not the deadline or a stop).</summary>
    public bool LimitReached => _limit.IsCancellationRequested;

    /// <summary>
    /// Starts a wait of at most <paramref name="limit"/>: the token ends it then, at the session deadline, or when the
    /// server stops (a waiting for a command, <paramref name="idle"/>, already at the start of a stop). Every Arm is
    /// followed by <see cref="Disarm"/>.
    /// </summary>
    public CancellationToken Arm(TimeSpan limit, bool idle)
    {
        _limit.CancelAfter(limit);
        return (idle ? _idle : _hard).Token;
    }

    /// <summary>Ends the wait. A limit that ran out just as the wait completed would cancel the next wait at once, so then the sources are new.</summary>
    public void Disarm()
    {
        _limit.CancelAfter(Timeout.InfiniteTimeSpan);
        if (_limit.IsCancellationRequested || _idle.IsCancellationRequested || _hard.IsCancellationRequested)
        {
            Release();
            Build();
        }
    }

    public void Dispose() => Release();

    private void Build()
    {
        // Created with the injected clock (a source that never fires on its own), so CancelAfter runs on that clock.
        _limit = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        _idle = CancellationTokenSource.CreateLinkedTokenSource(_limit.Token, _deadline, _idleStop);
        _hard = CancellationTokenSource.CreateLinkedTokenSource(_limit.Token, _deadline, _hardStop);
    }

    private void Release()
    {
        _idle.Dispose();
        _hard.Dispose();
        _limit.Dispose();
    }
}
