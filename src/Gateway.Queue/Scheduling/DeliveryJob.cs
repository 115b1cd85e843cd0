namespace Gateway.Queue.Scheduling;

/// <summary>
/// One delivery attempt for the pending recipients of a queued message.
/// </summary>
/// <param name="QueueId">The queue id of the message.</param>
/// <param name="Envelope">The spooled envelope (sender, DSN parameters, client facts).</param>
/// <param name="Recipients">The recipients to attempt (a subset of <see cref="QueuedEnvelope.Recipients"/>).</param>
/// <param name="OpenMessage">Opens the raw RFC 5322 message as spooled; the caller disposes the stream.</param>
public sealed record DeliveryJob(
    string QueueId,
    QueuedEnvelope Envelope,
    IReadOnlyList<QueuedRecipient> Recipients,
    Func<CancellationToken, ValueTask<Stream>> OpenMessage);
