namespace Gateway.Queue;

/// <summary>Where one recipient of a spooled message stands.</summary>
public enum RecipientStatus
{
    /// <summary>Not yet delivered; the scheduler will try again at the message's next attempt time.</summary>
    Pending,

    Delivered,

    /// <summary>The next hop refused it permanently (5xx) or it cannot be routed; a failure notice is due.</summary>
    Failed,

    /// <summary>Gave up after the bounce_after period (DESIGN invariant 2: ends in a notice, never silently).</summary>
    Expired,
}
