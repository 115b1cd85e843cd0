using Gateway.Host.Metrics;

namespace Gateway.Tests;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Counters_gauges_and_histogram_render_in_the_text_format()
    {
        var metrics = new GatewayMetrics();
        metrics.TransactionEnded(250);
        metrics.TransactionEnded(250);
        metrics.TransactionEnded(451);
        metrics.TransactionEnded(554);
        metrics.RecipientDelivered(TimeSpan.FromMilliseconds(80));
        metrics.RecipientDelivered(TimeSpan.FromSeconds(3));
        metrics.RecipientDelivered(TimeSpan.FromDays(5));
        metrics.RecipientDeferred();

        var text = PrometheusText.Render(metrics, new QueueGauges(3, 7, 12.5));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains("gateway_messages_accepted_total 2", lines);
        Assert.Contains("gateway_messages_tempfailed_total 1", lines);
        Assert.Contains("gateway_messages_rejected_total 1", lines);
        Assert.Contains("gateway_recipients_deferred_total 1", lines);
        Assert.Contains("gateway_sessions_open 3", lines);
        Assert.Contains("gateway_queue_messages 7", lines);
        Assert.Contains("gateway_queue_oldest_age_seconds 12.5", lines);
        Assert.Contains("gateway_delivery_latency_seconds_bucket{le=\"0.05\"} 0", lines);
        Assert.Contains("gateway_delivery_latency_seconds_bucket{le=\"0.1\"} 1", lines);
        Assert.Contains("gateway_delivery_latency_seconds_bucket{le=\"5\"} 2", lines);
        Assert.Contains("gateway_delivery_latency_seconds_bucket{le=\"172800\"} 2", lines);
        Assert.Contains("gateway_delivery_latency_seconds_bucket{le=\"+Inf\"} 3", lines);
        Assert.Contains("gateway_delivery_latency_seconds_count 3", lines);
        Assert.All(lines.Where(l => !l.StartsWith('#')), l => Assert.Matches(@"^[a-z_]+(\{le=""[^""]+""\})? [0-9.eE+-]+$", l));
    }
}
