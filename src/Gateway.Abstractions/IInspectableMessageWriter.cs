namespace Gateway.Abstractions;

/// <summary>
/// A message writer whose content can be read back once the last byte has arrived, so the message checks
/// (DKIM, ARC, DMARC, signing) run over what is actually stored and then decide how it is completed. The
/// checks never rewrite the client's bytes: they prepend header fields and may drop whole header fields
/// (an Authentication-Results field that falsely claims our authserv-id), which keeps signed content intact.
/// </summary>
public interface IInspectableMessageWriter : IMessageWriter
{
    /// <summary>
    /// The message as the client sent it (without the trace field the spool adds), for reading after the
    /// last <see cref="IMessageWriter.WriteAsync"/> and before completion. The caller disposes the stream.
    /// </summary>
    ValueTask<Stream> OpenContentAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="IMessageWriter.CompleteAsync"/>, applying <paramref name="amendment"/> to what is delivered.
    /// </summary>
    ValueTask<SmtpReply> CompleteAsync(MessageAmendment amendment, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the transaction without queuing: the checks refused the message with <paramref name="reply"/> (a 4xx
    /// or 5xx), which is returned as the answer. Nothing of the message is kept, as for a writer disposed
    /// without completion; the layers in between see the answer (to count it, for one).
    /// </summary>
    ValueTask<SmtpReply> RefuseAsync(SmtpReply reply, CancellationToken cancellationToken);
}
