namespace Gateway.Abstractions;

/// <summary>
/// Receives one message body as it arrives, dot-unstuffed, CRLF line ends, ending with the final CRLF of the
/// last line (the terminating "." is not included). Disposing without <see cref="CompleteAsync"/> aborts:
/// nothing of the message may survive.
/// </summary>
public interface IMessageWriter : IAsyncDisposable
{
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// The whole body has arrived. Returns the reply to the end of DATA / BDAT LAST: a 250 only once the message
    /// and its envelope are durable (DESIGN invariant 1); otherwise a 4xx/5xx.
    /// </summary>
    ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What the content checks concluded, for the transaction's summary log line (e.g. "spam 7.2/5.0 tag",
    /// "quarantined: dmarc=fail p=quarantine"); null when nothing was checked. Read after <see cref="CompleteAsync"/>.
    /// </summary>
    string? ContentVerdict => null;

    /// <summary>
    /// The message's Message-ID field as the client sent it, cleaned for a log line (printable ASCII, bounded), so the
    /// summary log line can be found by the id a mail program shows; null when it has none. Read after
    /// <see cref="CompleteAsync"/>.
    /// </summary>
    string? MessageId => null;
}
