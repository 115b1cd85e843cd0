namespace Gateway.Transport.TlsRpt;

/// <summary>Where the TLS-RPT counters live between restarts.</summary>
public sealed class TlsRptCollectorOptions
{
    /// <summary>The state directory; the counters are one JSON file in it.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// Makes a rename in <see cref="Directory"/> durable (fsync of the directory, POSIX fsync(2)); the host passes the
    /// spool's implementation. Null: the rename is durable when the file system says so.
    /// </summary>
    public Action<string>? FlushDirectory { get; init; }

    /// <summary>
    /// Distinct failure details kept per policy and day; further distinct ones are counted in the summary only
    /// (bounds memory when every session fails from a new address).
    /// </summary>
    public int MaxFailureDetails { get; init; } = 1000;
}
