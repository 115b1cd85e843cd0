namespace Gateway.Queue.Notices;

/// <summary>The three kinds of delivery status notification the gateway sends (RFC 3461 4.1 NOTIFY values).</summary>
public enum NoticeKind
{
    /// <summary>Recipients failed permanently or expired (NOTIFY=FAILURE, on by default).</summary>
    Failure,

    /// <summary>Recipients are still queued after the delay threshold (NOTIFY=DELAY, on by default).</summary>
    Delay,

    /// <summary>Recipients were relayed or delivered (NOTIFY=SUCCESS, only when asked for).</summary>
    Success,
}
