using System.Text;
using Gateway.Host.Metrics;

namespace Gateway.Tests;

public sealed class GatewayMetricsTests
{
    private static async Task<string[]> ExportAsync(GatewayMetrics metrics)
    {
        using var output = new MemoryStream();
        await metrics.ExportAsync(output, CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task Counters_gauges_and_histograms_render_in_the_text_format()
    {
        var metrics = new GatewayMetrics();
        metrics.TransactionEnded(250, TimeSpan.FromMilliseconds(3));
        metrics.TransactionEnded(250, TimeSpan.FromMilliseconds(8));
        metrics.TransactionEnded(451, TimeSpan.FromSeconds(2));
        metrics.TransactionEnded(554, TimeSpan.FromMilliseconds(40));
        metrics.RecipientDelivered(TimeSpan.FromMilliseconds(80));
        metrics.RecipientDelivered(TimeSpan.FromSeconds(3));
        metrics.RecipientDelivered(TimeSpan.FromDays(5));
        metrics.RecipientDeferred();
        metrics.SetGauges(3, 7, 12.5);

        var lines = await ExportAsync(metrics);

        Assert.Contains("gateway_messages_accepted_total 2", lines);
        Assert.Contains("gateway_messages_tempfailed_total 1", lines);
        Assert.Contains("gateway_messages_rejected_total 1", lines);
        Assert.Contains("gateway_recipients_deferred_total 1", lines);
        Assert.Contains("gateway_recipients_delivered_total 3", lines);
        Assert.Contains("gateway_sessions_open 3", lines);
        Assert.Contains("gateway_queue_messages 7", lines);
        Assert.Contains("gateway_queue_oldest_age_seconds 12.5", lines);
        Assert.Contains("# TYPE gateway_messages_accepted_total counter", lines);
        Assert.Contains("# TYPE gateway_delivery_latency_seconds histogram", lines);
        Assert.Contains("gateway_delivery_latency_seconds_bucket{le=\"0.05\"} 0", lines);
        Assert.Contains("gateway_delivery_latency_seconds_bucket{le=\"0.1\"} 1", lines);
        Assert.Contains("gateway_delivery_latency_seconds_bucket{le=\"5\"} 2", lines);
        Assert.Contains("gateway_delivery_latency_seconds_bucket{le=\"172800\"} 2", lines);
        Assert.Contains("gateway_delivery_latency_seconds_bucket{le=\"+Inf\"} 3", lines);
        Assert.Contains("gateway_delivery_latency_seconds_count 3", lines);
        Assert.Contains("# TYPE gateway_accept_latency_seconds histogram", lines);
        Assert.Contains("gateway_accept_latency_seconds_bucket{le=\"0.0025\"} 0", lines);
        Assert.Contains("gateway_accept_latency_seconds_bucket{le=\"0.005\"} 1", lines);
        Assert.Contains("gateway_accept_latency_seconds_bucket{le=\"0.01\"} 2", lines);
        Assert.Contains("gateway_accept_latency_seconds_bucket{le=\"0.05\"} 3", lines);
        Assert.Contains("gateway_accept_latency_seconds_bucket{le=\"+Inf\"} 4", lines);
        Assert.Contains("gateway_accept_latency_seconds_count 4", lines);
        Assert.All(lines.Where(l => !l.StartsWith('#')), l => Assert.Matches(@"^[a-z_]+(\{[a-z_]+=""[^""]+""\})? [0-9.eE+-]+$", l));
    }

    [Fact]
    public async Task The_process_and_the_collector_are_exported_beside_the_mail_counters()
    {
        var metrics = new GatewayMetrics();
        // The runtime's count is taken from what it has handed out, not per object, so it is compared with a reading
        // before the export rather than with one allocation's size (which may already be in that reading).
        var before = GC.GetTotalAllocatedBytes();

        var lines = await ExportAsync(metrics);

        double Value(string name) => double.Parse(lines.Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("# TYPE process_cpu_seconds_total counter", lines);
        Assert.True(Value("process_cpu_seconds_total") > 0);
        Assert.True(Value("process_working_set_bytes") > 1 << 20);
        Assert.True(Value("process_num_threads") >= 1);
        Assert.True(Value("process_open_handles") >= 3);
        Assert.True(Value("process_start_time_seconds") > DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds());
        Assert.Contains(lines, l => l.StartsWith("dotnet_collection_count_total{generation=\"0\"} ", StringComparison.Ordinal));
        Assert.Contains("# TYPE dotnet_gc_allocated_bytes_total counter", lines);
        Assert.True(before > 0);
        Assert.True(Value("dotnet_gc_allocated_bytes_total") >= before);
        Assert.True(Value("dotnet_gc_pause_seconds_total") >= 0);
    }

    [Fact]
    public async Task Each_instance_has_its_own_registry()
    {
        var first = new GatewayMetrics();
        var second = new GatewayMetrics();
        first.TransactionEnded(250, TimeSpan.Zero);

        Assert.Contains("gateway_messages_accepted_total 1", await ExportAsync(first));
        Assert.Contains("gateway_messages_accepted_total 0", await ExportAsync(second));
    }
}
