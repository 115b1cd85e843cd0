namespace Gateway.Queue.Scheduling;

public sealed class QueueSchedulerOptions
{
    /// <summary>Messages attempted at the same time (each may open several connections in the agent).</summary>
    public int MaxMessagesInFlight { get; init; } = 50;

    /// <summary>The whole queue is rescanned this often so CLI changes (hold, release, retry, delete) are seen.</summary>
    public TimeSpan RescanInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>After a store or notice error, the message is not touched again for this long (no busy loop on a
    /// broken disk); it is never dropped.</summary>
    public TimeSpan ErrorBackoff { get; init; } = TimeSpan.FromMinutes(1);
}
