namespace Gateway.Abstractions;

/// <summary>
/// A message writer whose content can be read back once the last byte has arrived, so the message pipeline runs
/// over what is actually stored and then decides how it is completed. The pipeline never rewrites the client's
/// bytes: it replaces at most the start of the content (header fields put on top, whole header fields left out),
/// which keeps signed content intact.
/// </summary>
public interface IInspectableMessageWriter : IMessageWriter
{
    /// <summary>The queue id the message will have (for trace fields and logs).</summary>
    string QueueId { get; }

    /// <summary>
    /// The content when the writer still holds all of it in memory (small messages), without a copy; valid until the
    /// writer completes, refuses or is disposed. False when the content must be read with <see cref="OpenContentAsync"/>.
    /// </summary>
    bool TryGetContent(out ReadOnlyMemory<byte> content);

    /// <summary>
    /// The message as the client sent it, for reading after the last <see cref="IMessageWriter.WriteAsync"/> and
    /// before completion. The caller disposes the stream.
    /// </summary>
    ValueTask<Stream> OpenContentAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="IMessageWriter.CompleteAsync"/>, applying <paramref name="amendment"/> to what is delivered.
    /// </summary>
    ValueTask<SmtpReply> CompleteAsync(MessageAmendment amendment, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the transaction without queuing: the pipeline refused the message with <paramref name="reply"/> (a 4xx
    /// or 5xx), which is returned as the answer. Nothing of the message is kept, as for a writer disposed
    /// without completion; the layers in between see the answer (to count it, for one). <paramref name="messageLength"/>
    /// is what the client sent, which is more than the writer was given when the message was refused for its size;
    /// <paramref name="messageId"/> its Message-ID, cleaned (<see cref="IMessageWriter.MessageId"/>), for the trace.
    /// </summary>
    ValueTask<SmtpReply> RefuseAsync(SmtpReply reply, long messageLength, string? messageId, CancellationToken cancellationToken);
}
