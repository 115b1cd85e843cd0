namespace Gateway.Queue;

/// <summary>Settings of the spool writer.</summary>
public sealed class QueueStoreOptions
{
    /// <summary>Our host name, the "by" part of the Received field.</summary>
    public required string HostName { get; init; }

    /// <summary>More Received fields than this -> 554 5.4.6 (policy delivery.max_received_headers).</summary>
    public int MaxReceivedHeaders { get; init; } = 50;

    /// <summary>
    /// How much of the header section is kept in memory for the loop check; a header section longer than
    /// this is treated as ending here (what follows counts as body), so memory per session stays bounded.
    /// </summary>
    public int MaxHeaderSectionBytes { get; init; } = 1024 * 1024;
}
