namespace Gateway.Queue.Notices;

/// <summary>
/// What the scheduler asks a notice about: one message, one kind, the recipients it reports on.
/// </summary>
/// <param name="Original">The envelope of the message the notice is about.</param>
/// <param name="Kind">Failure, delay or success.</param>
/// <param name="Recipients">The recipients to report (the factory keeps only those whose NOTIFY asks for it).</param>
/// <param name="WillRetryUntil">For delay notices: when the gateway gives up (RFC 3464 2.3.9).</param>
/// <param name="OpenOriginal">Opens the original message as spooled (for the returned content).</param>
public sealed record NoticeRequest(
    QueuedEnvelope Original,
    NoticeKind Kind,
    IReadOnlyList<NoticeRecipient> Recipients,
    DateTimeOffset? WillRetryUntil,
    Func<CancellationToken, ValueTask<Stream>> OpenOriginal);
