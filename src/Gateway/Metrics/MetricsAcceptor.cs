using Gateway.Abstractions;

namespace Gateway.Host.Metrics;

/// <summary>
/// Counts the answers to the end of DATA (250 / 4xx / 5xx), the spool's and those of the message checks, and times
/// each: from the return of the last write of message data (the end of DATA or BDAT LAST has been read by then) to
/// the final reply, so the accept latency covers the message checks, the fsync and the group commit.
/// </summary>
internal sealed class MetricsAcceptor(IMessageAcceptor inner, GatewayMetrics metrics, TimeProvider time) : IMessageAcceptor
{
    public async ValueTask<IMessageWriter> BeginAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var writer = await inner.BeginAsync(envelope, cancellationToken).ConfigureAwait(false);

        // The message checks read the stored content back, so the spool's inspectable writer stays visible.
        return writer is IInspectableMessageWriter inspectable
            ? new CountingInspectableWriter(inspectable, metrics, time)
            : new CountingWriter(writer, metrics, time);
    }

    private class CountingWriter(IMessageWriter inner, GatewayMetrics metrics, TimeProvider time) : IMessageWriter
    {
        private long _lastWrite = time.GetTimestamp();

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            await inner.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            _lastWrite = time.GetTimestamp();
        }

        public async ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken) =>
            Ended(await inner.CompleteAsync(cancellationToken).ConfigureAwait(false));

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        protected SmtpReply Ended(SmtpReply reply)
        {
            metrics.TransactionEnded(reply.Code, time.GetElapsedTime(_lastWrite));
            return reply;
        }
    }

    private sealed class CountingInspectableWriter(IInspectableMessageWriter inner, GatewayMetrics metrics, TimeProvider time)
        : CountingWriter(inner, metrics, time), IInspectableMessageWriter
    {
        public ValueTask<Stream> OpenContentAsync(CancellationToken cancellationToken) => inner.OpenContentAsync(cancellationToken);

        public async ValueTask<SmtpReply> CompleteAsync(MessageAmendment amendment, CancellationToken cancellationToken) =>
            Ended(await inner.CompleteAsync(amendment, cancellationToken).ConfigureAwait(false));

        /// <summary>A refusal by the message checks (a DMARC reject, a 451 tempfail) counts like any other answer.</summary>
        public async ValueTask<SmtpReply> RefuseAsync(SmtpReply reply, CancellationToken cancellationToken) =>
            Ended(await inner.RefuseAsync(reply, cancellationToken).ConfigureAwait(false));
    }
}
