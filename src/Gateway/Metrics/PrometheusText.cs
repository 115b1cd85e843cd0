using System.Globalization;
using System.Text;

namespace Gateway.Host.Metrics;

/// <summary>Renders the metrics in the Prometheus text exposition format (version 0.0.4).</summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(GatewayMetrics metrics, QueueGauges gauges)
    {
        var sb = new StringBuilder();
        Counter(sb, "gateway_messages_accepted_total", "Messages accepted into the queue (250 at end of DATA).", metrics.Accepted);
        Counter(sb, "gateway_messages_rejected_total", "Message transactions refused with a 5xx at end of DATA.", metrics.Rejected);
        Counter(sb, "gateway_messages_tempfailed_total", "Message transactions answered with a 4xx at end of DATA.", metrics.TempFailed);
        Counter(sb, "gateway_recipients_delivered_total", "Recipients delivered to the next hop.", metrics.Delivered);
        Counter(sb, "gateway_recipients_deferred_total", "Delivery attempts that ended in a temporary failure, per recipient.", metrics.Deferred);
        Counter(sb, "gateway_recipients_bounced_total", "Recipients that failed permanently.", metrics.Bounced);
        Counter(sb, "gateway_recipients_expired_total", "Recipients given up after the bounce deadline.", metrics.Expired);
        Counter(sb, "gateway_notices_sent_total", "Delivery status notifications generated.", metrics.Notices);
        Gauge(sb, "gateway_sessions_open", "SMTP sessions open now.", gauges.SessionsOpen);
        Gauge(sb, "gateway_queue_messages", "Messages in the queue.", gauges.QueueMessages);
        Gauge(sb, "gateway_queue_oldest_age_seconds", "Age of the oldest message in the queue.", gauges.OldestAgeSeconds);

        sb.Append("# HELP gateway_delivery_latency_seconds Time from acceptance to delivery, per recipient.\n");
        sb.Append("# TYPE gateway_delivery_latency_seconds histogram\n");
        var cumulative = metrics.CumulativeLatencyCounts();
        for (var i = 0; i < GatewayMetrics.LatencyBuckets.Length; i++)
        {
            sb.Append("gateway_delivery_latency_seconds_bucket{le=\"")
                .Append(GatewayMetrics.LatencyBuckets[i].ToString(CultureInfo.InvariantCulture))
                .Append("\"} ")
                .Append(cumulative[i].ToString(CultureInfo.InvariantCulture))
                .Append('\n');
        }

        sb.Append("gateway_delivery_latency_seconds_bucket{le=\"+Inf\"} ").Append(cumulative[^1].ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("gateway_delivery_latency_seconds_sum ").Append(metrics.LatencySumSeconds.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("gateway_delivery_latency_seconds_count ").Append(cumulative[^1].ToString(CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    private static void Counter(StringBuilder sb, string name, string help, long value) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
          .Append("# TYPE ").Append(name).Append(" counter\n")
          .Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void Gauge(StringBuilder sb, string name, string help, double value) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
          .Append("# TYPE ").Append(name).Append(" gauge\n")
          .Append(name).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
}

/// <summary>Point-in-time values read when /metrics is scraped.</summary>
internal readonly record struct QueueGauges(int SessionsOpen, int QueueMessages, double OldestAgeSeconds);
