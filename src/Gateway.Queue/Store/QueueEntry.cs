namespace Gateway.Queue;

/// <summary>One queued message as the scheduler and the CLI see it.</summary>
/// <param name="Envelope">The immutable envelope.</param>
/// <param name="State">The delivery state (the initial state when no attempt has been recorded).</param>
/// <param name="Held">True when an operator put it on hold or it is quarantined: the scheduler leaves it alone.</param>
/// <param name="MessageBytes">Size of the stored message (our Received field included).</param>
public sealed record QueueEntry(QueuedEnvelope Envelope, MessageState State, bool Held, long MessageBytes)
{
    /// <summary>Set when the message is held in the quarantine (a hold marker with a record), not by an operator's hold.</summary>
    public QuarantineRecord? Quarantine { get; init; }
}
