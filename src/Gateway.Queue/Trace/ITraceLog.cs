namespace Gateway.Queue;

/// <summary>The append-only message trace. Not the durable record of a message (the spool is): best effort.</summary>
public interface ITraceLog
{
    ValueTask WriteAsync(TraceEvent traceEvent, CancellationToken cancellationToken);

    /// <summary>Events with a timestamp at or after <paramref name="since"/>, oldest file first.</summary>
    IAsyncEnumerable<TraceEvent> ReadAsync(DateTimeOffset since, CancellationToken cancellationToken);
}
