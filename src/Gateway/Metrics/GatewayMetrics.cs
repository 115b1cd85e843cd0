using Gateway.Pipeline.Limits;
using Gateway.Pipeline.Steps.Spam;
using Prometheus;

namespace Gateway.Host.Metrics;

/// <summary>
/// The gateway's metrics on prometheus-net, in a registry of their own (one per host instance, never the library's
/// static default, so two gateways in one test process do not share counts). Read by the /metrics endpoint.
/// </summary>
internal sealed class GatewayMetrics : ILimitsMetrics, IScannerMetrics
{
    /// <summary>The content type of the Prometheus text exposition format that <see cref="ExportAsync"/> writes.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// Accept latency buckets in seconds: a healthy spool answers in milliseconds (group commit, fsync); message
    /// checks waiting on DNS take up to seconds; the data-termination timeout (RFC 5321 4.5.3.2.6) is 10 minutes.
    /// </summary>
    public static readonly double[] AcceptLatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600];

    /// <summary>
    /// Delivery latency buckets in seconds: from a relay in tens of milliseconds to the retry horizon (5 min first
    /// retry, 6 h delay notice, 2 d bounce), so both healthy flow and retry storms are visible.
    /// </summary>
    public static readonly double[] DeliveryLatencyBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 86400, 172800];

    private readonly Counter _accepted;
    private readonly Counter _rejected;
    private readonly Counter _tempFailed;
    private readonly Counter _delivered;
    private readonly Counter _deferred;
    private readonly Counter _bounced;
    private readonly Counter _expired;
    private readonly Counter _notices;
    private readonly Gauge _sessionsOpen;
    private readonly Gauge _queueMessages;
    private readonly Gauge _queueOldestAge;
    private readonly Histogram _acceptLatency;
    private readonly Histogram _deliveryLatency;
    private readonly Counter _rateLimited;
    private readonly Counter _greylisting;
    private readonly Counter _scannerDetections;
    private readonly Counter _scannerFailures;
    private readonly Counter _scannerSkipped;

    public GatewayMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _accepted = factory.CreateCounter("gateway_messages_accepted_total", "Messages accepted into the queue (250 at end of DATA).");
        _rejected = factory.CreateCounter("gateway_messages_rejected_total", "Message transactions refused with a 5xx at end of DATA.");
        _tempFailed = factory.CreateCounter("gateway_messages_tempfailed_total", "Message transactions answered with a 4xx at end of DATA.");
        _delivered = factory.CreateCounter("gateway_recipients_delivered_total", "Recipients delivered to the next hop.");
        _deferred = factory.CreateCounter("gateway_recipients_deferred_total", "Delivery attempts that ended in a temporary failure, per recipient.");
        _bounced = factory.CreateCounter("gateway_recipients_bounced_total", "Recipients that failed permanently.");
        _expired = factory.CreateCounter("gateway_recipients_expired_total", "Recipients given up after the bounce deadline.");
        _notices = factory.CreateCounter("gateway_notices_sent_total", "Delivery status notifications generated.");
        _sessionsOpen = factory.CreateGauge("gateway_sessions_open", "SMTP sessions open now.");
        _queueMessages = factory.CreateGauge("gateway_queue_messages", "Messages in the queue.");
        _queueOldestAge = factory.CreateGauge("gateway_queue_oldest_age_seconds", "Age of the oldest message in the queue.");
        _acceptLatency = factory.CreateHistogram(
            "gateway_accept_latency_seconds",
            "Time from the last octet of message data reaching the spool to the final reply (message checks, fsync), per transaction.",
            new HistogramConfiguration { Buckets = AcceptLatencyBuckets });
        _deliveryLatency = factory.CreateHistogram(
            "gateway_delivery_latency_seconds",
            "Time from acceptance to delivery, per recipient.",
            new HistogramConfiguration { Buckets = DeliveryLatencyBuckets });
        _rateLimited = factory.CreateCounter(
            "gateway_rate_limited_total",
            "Connections, messages and recipients refused by a rate limit (421 4.7.0, 450 4.7.1, 452 4.5.3), by the key counted.",
            new CounterConfiguration { LabelNames = ["scope", "measure"] });
        _greylisting = factory.CreateCounter(
            "gateway_greylisting_total",
            "Greylisting decisions at RCPT: deferred, too_early, passed, allowed, allow_list, spf_pass.",
            new CounterConfiguration { LabelNames = ["decision"] });
        _scannerDetections = factory.CreateCounter(
            "gateway_scanner_detections_total",
            "Findings of the attachment policy (blocked, bomb, encrypted, unchecked) and viruses found by clamd.",
            "scanner", "finding");
        _scannerFailures = factory.CreateCounter(
            "gateway_scanner_failures_total",
            "Scans that failed (scanner down, timed out or answering nonsense), by what the policy made of it (tempfail, accept).",
            "scanner", "action");
        _scannerSkipped = factory.CreateCounter(
            "gateway_scanner_skipped_total",
            "Messages not sent to a scanner (larger than its max_size).",
            "scanner", "reason");

        // The process beside the mail counters, as every Prometheus client exports it: CPU seconds, memory, threads,
        // open descriptors, start time, collections per generation; plus what the collector allocated and paused,
        // which is where a rise in CPU per message or in the accept tail usually shows first.
        DotNetStats.Register(Registry);
        var allocated = factory.CreateCounter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started.");
        var paused = factory.CreateCounter("dotnet_gc_pause_seconds_total", "Time the managed threads were paused by the garbage collector since the process started.");
        Registry.AddBeforeCollectCallback(() =>
        {
            allocated.IncTo(GC.GetTotalAllocatedBytes());
            paused.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
        });
    }

    /// <summary>This instance's registry, exported by /metrics.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Records the final reply to one message transaction (end of DATA / BDAT LAST) and how long it took.</summary>
    public void TransactionEnded(int replyCode, TimeSpan latency)
    {
        var counter = replyCode < 400 ? _accepted : replyCode < 500 ? _tempFailed : _rejected;
        counter.Inc();
        _acceptLatency.Observe(Math.Max(0, latency.TotalSeconds));
    }

    public void RecipientDelivered(TimeSpan latency)
    {
        _delivered.Inc();
        _deliveryLatency.Observe(Math.Max(0, latency.TotalSeconds));
    }

    public void RecipientDeferred() => _deferred.Inc();

    public void RecipientBounced() => _bounced.Inc();

    public void RecipientExpired() => _expired.Inc();

    public void NoticeSent() => _notices.Inc();

    public void RateLimited(string scope, string measure) => _rateLimited.WithLabels(scope, measure).Inc();

    public void Greylisting(string decision) => _greylisting.WithLabels(decision).Inc();
    public void Detected(string scanner, string finding) => _scannerDetections.WithLabels(scanner, finding).Inc();

    public void Failed(string scanner, string action) => _scannerFailures.WithLabels(scanner, action).Inc();

    public void Skipped(string scanner, string reason) => _scannerSkipped.WithLabels(scanner, reason).Inc();

    /// <summary>Sets the point-in-time values read when /metrics is scraped.</summary>
    public void SetGauges(int sessionsOpen, int queueMessages, double oldestAgeSeconds)
    {
        _sessionsOpen.Set(sessionsOpen);
        _queueMessages.Set(queueMessages);
        _queueOldestAge.Set(oldestAgeSeconds);
    }

    /// <summary>Writes every metric in the Prometheus text exposition format (version 0.0.4).</summary>
    public Task ExportAsync(Stream output, CancellationToken cancellationToken) =>
        Registry.CollectAndExportAsTextAsync(output, ExpositionFormat.PrometheusText, cancellationToken);
}
