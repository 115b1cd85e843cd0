namespace Gateway.Queue.Scheduling;

public enum OutcomeKind
{
    /// <summary>The next hop accepted the message for this recipient (2xx after DATA).</summary>
    Delivered,

    /// <summary>A 4xx reply or a local/network problem: retried with the schedule (RFC 5321 4.5.4.1).</summary>
    TransientFailure,

    /// <summary>A 5xx reply or a permanent local decision: the recipient is failed and the sender told at once.</summary>
    PermanentFailure,
}
