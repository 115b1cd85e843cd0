using Gateway.Abstractions;

namespace Gateway.Host.Metrics;

/// <summary>Counts the answers to the end of DATA (250 / 4xx / 5xx), the spool's and those of the message checks.</summary>
internal sealed class MetricsAcceptor(IMessageAcceptor inner, GatewayMetrics metrics) : IMessageAcceptor
{
    public async ValueTask<IMessageWriter> BeginAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var writer = await inner.BeginAsync(envelope, cancellationToken).ConfigureAwait(false);

        // The message checks read the stored content back, so the spool's inspectable writer stays visible.
        return writer is IInspectableMessageWriter inspectable
            ? new CountingInspectableWriter(inspectable, metrics)
            : new CountingWriter(writer, metrics);
    }

    private class CountingWriter(IMessageWriter inner, GatewayMetrics metrics) : IMessageWriter
    {
        protected GatewayMetrics Metrics => metrics;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            inner.WriteAsync(data, cancellationToken);

        public async ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken)
        {
            var reply = await inner.CompleteAsync(cancellationToken).ConfigureAwait(false);
            metrics.TransactionEnded(reply.Code);
            return reply;
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class CountingInspectableWriter(IInspectableMessageWriter inner, GatewayMetrics metrics)
        : CountingWriter(inner, metrics), IInspectableMessageWriter
    {
        public string QueueId => inner.QueueId;

        public bool TryGetContent(out ReadOnlyMemory<byte> content) => inner.TryGetContent(out content);

        public ValueTask<Stream> OpenContentAsync(CancellationToken cancellationToken) => inner.OpenContentAsync(cancellationToken);

        public async ValueTask<SmtpReply> CompleteAsync(MessageAmendment amendment, CancellationToken cancellationToken)
        {
            var reply = await inner.CompleteAsync(amendment, cancellationToken).ConfigureAwait(false);
            Metrics.TransactionEnded(reply.Code);
            return reply;
        }

        /// <summary>A refusal by the message checks (a DMARC reject, a 451 tempfail) counts like any other answer.</summary>
        public async ValueTask<SmtpReply> RefuseAsync(SmtpReply reply, CancellationToken cancellationToken)
        {
            var answer = await inner.RefuseAsync(reply, cancellationToken).ConfigureAwait(false);
            Metrics.TransactionEnded(answer.Code);
            return answer;
        }
    }
}
