using Gateway.Queue.Notices;

namespace Gateway.Queue.Scheduling;

/// <summary>
/// What the policy decides about the queue: when to retry, warn and give up, and how notices are built (our host
/// name, which domains are ours). One attempt round reads one snapshot, so a reload never mixes two in a round.
/// </summary>
public sealed record SchedulerSettings(RetrySchedule Retry, INoticeFactory Notices);
