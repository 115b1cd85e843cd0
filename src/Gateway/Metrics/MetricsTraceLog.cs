using Gateway.Queue;

namespace Gateway.Host.Metrics;

/// <summary>Counts delivery outcomes as the queue records them in the trace log, so metrics and trace never disagree.</summary>
internal sealed class MetricsTraceLog(ITraceLog inner, GatewayMetrics metrics) : ITraceLog
{
    public async ValueTask WriteAsync(TraceEvent traceEvent, CancellationToken cancellationToken)
    {
        await inner.WriteAsync(traceEvent, cancellationToken).ConfigureAwait(false);
        var recipients = Math.Max(1, traceEvent.To.Count);
        for (var i = 0; i < recipients; i++)
        {
            switch (traceEvent.Event)
            {
                case "delivered":
                    var queuedAt = QueueId.TimestampOf(traceEvent.QueueId);
                    metrics.RecipientDelivered(queuedAt is null ? TimeSpan.Zero : traceEvent.Timestamp - queuedAt.Value);
                    break;
                case "deferred":
                    metrics.RecipientDeferred();
                    break;
                case "failed":
                    metrics.RecipientBounced();
                    break;
                case "expired":
                    metrics.RecipientExpired();
                    break;
            }
        }

        if (traceEvent.Event == "notice")
        {
            metrics.NoticeSent();
        }
    }

    public IAsyncEnumerable<TraceEvent> ReadAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        inner.ReadAsync(since, cancellationToken);
}
