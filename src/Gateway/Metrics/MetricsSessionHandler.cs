using Gateway.Abstractions;

namespace Gateway.Host.Metrics;

/// <summary>
/// Counts the answers to the end of DATA (250 / 4xx / 5xx), the spool's and those of the message pipeline, once per
/// transaction (a message stored in two parts, one per direction, is still one answer), and times each: from the
/// return of the last write of message data (the end of DATA or BDAT LAST has been read by then) to the final reply,
/// so the accept latency covers the message pipeline, the fsync and the group commit.
/// </summary>
internal sealed class MetricsSessionHandler(ISmtpSessionHandler inner, GatewayMetrics metrics, TimeProvider time) : ISmtpSessionHandler
{
    public ValueTask<Verdict> OnConnectAsync(SessionFacts session, CancellationToken cancellationToken) =>
        inner.OnConnectAsync(session, cancellationToken);

    public ValueTask<Verdict> OnHeloAsync(SessionFacts session, CancellationToken cancellationToken) =>
        inner.OnHeloAsync(session, cancellationToken);

    public ValueTask<Verdict> OnMailFromAsync(SessionFacts session, Mailbox? from, MailParameters parameters, CancellationToken cancellationToken) =>
        inner.OnMailFromAsync(session, from, parameters, cancellationToken);

    public ValueTask<RecipientDecision> OnRecipientAsync(
        SessionFacts session, Mailbox? from, Mailbox recipient, RecipientParameters parameters, CancellationToken cancellationToken) =>
        inner.OnRecipientAsync(session, from, recipient, parameters, cancellationToken);

    public async ValueTask<(Verdict Verdict, IMessageWriter? Writer)> OnMessageStartAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var (verdict, writer) = await inner.OnMessageStartAsync(envelope, cancellationToken).ConfigureAwait(false);
        return (verdict, writer is null ? null : new CountingWriter(writer, metrics, time));
    }

    private sealed class CountingWriter(IMessageWriter inner, GatewayMetrics metrics, TimeProvider time) : IMessageWriter
    {
        private long _lastWrite = time.GetTimestamp();

        public string? ContentVerdict => inner.ContentVerdict;

        public string? MessageId => inner.MessageId;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            await inner.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            _lastWrite = time.GetTimestamp();
        }

        public async ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken)
        {
            var reply = await inner.CompleteAsync(cancellationToken).ConfigureAwait(false);
            metrics.TransactionEnded(reply.Code, time.GetElapsedTime(_lastWrite));
            return reply;
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
