namespace Gateway.Queue;

/// <summary>One queued message as the scheduler and the CLI see it.</summary>
/// <param name="Envelope">The immutable envelope.</param>
/// <param name="State">The delivery state (the initial state when no attempt has been recorded).</param>
/// <param name="Held">True when an operator put it on hold: the scheduler leaves it alone.</param>
/// <param name="MessageBytes">Size of the stored message (our Received field included).</param>
public sealed record QueueEntry(QueuedEnvelope Envelope, MessageState State, bool Held, long MessageBytes);
