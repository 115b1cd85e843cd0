namespace Gateway.Queue.Scheduling;

/// <summary>
/// When to retry a deferred message, when to warn the sender and when to give up (RFC 5321 4.5.4.1: retry at
/// least 30 minutes apart at first, give up after 4-5 days at the latest; the operators asked for 6 h / 2 d).
/// </summary>
public sealed class RetrySchedule
{
    public RetrySchedule(TimeSpan first, TimeSpan max, double factor, TimeSpan delayNoticeAfter, TimeSpan bounceAfter)
    {
        if (first <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, "The first retry delay must be positive.");
        }

        if (max < first)
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, "The maximum retry delay must not be below the first.");
        }

        if (!double.IsFinite(factor) || factor < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The backoff factor must be at least 1.");
        }

        if (bounceAfter <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(bounceAfter), bounceAfter, "The queue lifetime must be positive.");
        }

        if (delayNoticeAfter <= TimeSpan.Zero || delayNoticeAfter >= bounceAfter)
        {
            throw new ArgumentOutOfRangeException(nameof(delayNoticeAfter), delayNoticeAfter, "The delay notice must come after 0 and before the queue lifetime ends.");
        }

        First = first;
        Max = max;
        Factor = factor;
        DelayNoticeAfter = delayNoticeAfter;
        BounceAfter = bounceAfter;
    }

    /// <summary>5 minutes, doubling, capped at 1 hour; delay notice after 6 hours; give up after 2 days.</summary>
    public static RetrySchedule Default { get; } =
        new(TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), 2, TimeSpan.FromHours(6), TimeSpan.FromDays(2));

    public TimeSpan First { get; }

    public TimeSpan Max { get; }

    public double Factor { get; }

    public TimeSpan DelayNoticeAfter { get; }

    public TimeSpan BounceAfter { get; }

    /// <summary>The wait after the given number of failed attempts (1 = after the first attempt).</summary>
    public TimeSpan DelayAfter(int attempts)
    {
        if (attempts <= 1)
        {
            return First;
        }

        // Computed in double and capped before converting, so a large attempt count cannot overflow.
        var ticks = First.Ticks * Math.Pow(Factor, attempts - 1);
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>When the message is given up (failure notice, status Expired).</summary>
    public DateTimeOffset ExpiresAt(DateTimeOffset receivedAt) => receivedAt + BounceAfter;

    /// <summary>When the sender is told the message is still queued (once).</summary>
    public DateTimeOffset DelayNoticeAt(DateTimeOffset receivedAt) => receivedAt + DelayNoticeAfter;

    /// <summary>
    /// The next attempt after <paramref name="attempts"/> attempts ending at <paramref name="now"/>; never later
    /// than the expiry, so the last attempt happens at the moment the message would be given up.
    /// </summary>
    public DateTimeOffset NextAttempt(DateTimeOffset receivedAt, DateTimeOffset now, int attempts)
    {
        var next = now + DelayAfter(attempts);
        var expires = ExpiresAt(receivedAt);
        return next > expires ? expires : next;
    }
}
