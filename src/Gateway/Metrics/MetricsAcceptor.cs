using Gateway.Abstractions;

namespace Gateway.Host.Metrics;

/// <summary>Counts the spool's answers to the end of DATA (250 / 4xx / 5xx).</summary>
internal sealed class MetricsAcceptor(IMessageAcceptor inner, GatewayMetrics metrics) : IMessageAcceptor
{
    public async ValueTask<IMessageWriter> BeginAsync(Envelope envelope, CancellationToken cancellationToken) =>
        new CountingWriter(await inner.BeginAsync(envelope, cancellationToken).ConfigureAwait(false), metrics);

    private sealed class CountingWriter(IMessageWriter inner, GatewayMetrics metrics) : IMessageWriter
    {
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
}
