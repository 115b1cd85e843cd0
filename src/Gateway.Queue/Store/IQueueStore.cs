using Gateway.Abstractions;

namespace Gateway.Queue;

/// <summary>
/// The durable spool. As an <see cref="IMessageAcceptor"/> it answers 250 only once a message is on disk
/// (DESIGN invariant 1); the rest is what the scheduler and the queue CLI need.
/// </summary>
public interface IQueueStore : IMessageAcceptor
{
    /// <summary>
    /// Start-up recovery, by the process that owns the spool and before it accepts mail: deletes incoming/*,
    /// verifies every messages/* file (damaged ones go to corrupt/ with a trace event), drops state and hold
    /// files of messages that are gone. Returns the ids now queued, oldest first.
    /// </summary>
    ValueTask<IReadOnlyList<string>> RecoverAsync(CancellationToken cancellationToken);

    /// <summary>Null when no such message is queued (or the id is malformed).</summary>
    ValueTask<QueueEntry?> GetAsync(string queueId, CancellationToken cancellationToken);

    /// <summary>All queued messages, oldest first.</summary>
    IAsyncEnumerable<QueueEntry> ListAsync(CancellationToken cancellationToken);

    /// <summary>The raw RFC 5322 message (our Received field first), positioned at its first byte, length-limited, seekable.</summary>
    ValueTask<Stream> OpenMessageAsync(string queueId, CancellationToken cancellationToken);

    /// <summary>Replaces the state file atomically (temp, fsync, rename, directory fsync).</summary>
    ValueTask SaveStateAsync(MessageState state, CancellationToken cancellationToken);

    /// <summary>Deletes the message and its state and writes a "deleted" trace event. No-op for an unknown id.</summary>
    ValueTask RemoveAsync(string queueId, string reason, CancellationToken cancellationToken);

    /// <summary>Spools a complete message we generated (a notice) durably, with the same group commit, and returns its id.</summary>
    ValueTask<string> EnqueueAsync(QueuedEnvelope envelopeWithoutId, ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    ValueTask HoldAsync(string queueId, CancellationToken cancellationToken);

    /// <summary>As <see cref="HoldAsync(string, CancellationToken)"/>, with who held it and how for the trace event.</summary>
    ValueTask HoldAsync(string queueId, string? detail, CancellationToken cancellationToken) => HoldAsync(queueId, cancellationToken);

    ValueTask ReleaseAsync(string queueId, CancellationToken cancellationToken);

    /// <summary>As <see cref="ReleaseAsync(string, CancellationToken)"/>, with who released it and how for the trace event.</summary>
    ValueTask ReleaseAsync(string queueId, string? detail, CancellationToken cancellationToken) => ReleaseAsync(queueId, cancellationToken);

    /// <summary>Asks for an attempt now: NextAttemptAt = now in the state file.</summary>
    ValueTask RetryNowAsync(string queueId, CancellationToken cancellationToken);

    /// <summary>Raised with the queue id once a new message is durable (the scheduler wakes up).</summary>
    event Action<string>? MessageQueued;
}
