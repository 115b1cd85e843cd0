using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gateway.Abstractions;
using Gateway.Dns;
using Gateway.Host.Hosting;
using Gateway.Host.Reports;
using Gateway.Policy;
using Gateway.Queue;
using Gateway.Testing;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Gateway.Tests.TransportSecurity;

/// <summary>
/// The TLS-RPT service of the host with a fake clock: counters kept across restarts, and once a UTC day is over its
/// report reaches the https: rua endpoint (POST, gzip'd JSON of RFC 8460 4.4) and the mailto: one through our queue.
/// </summary>
public sealed class TlsRptReportServiceTests : IAsyncDisposable
{
    private static readonly TlsRptPolicy Sts = new(TlsRptPolicyTypes.Sts, "remote.test", ["version: STSv1", "mode: testing", "mx: mx.remote.test", "max_age: 86400"], ["mx.remote.test"]);
    private static readonly TlsRptFailure NoStartTls = new(TlsRptResultTypes.StartTlsNotSupported, IPAddress.Parse("127.0.0.1"), "mx.remote.test", IPAddress.Parse("127.0.0.9"));

    private readonly string _state = TestDirectories.CreateTemp("gw-tlsrpt");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly List<IAsyncDisposable> _disposables = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }
    }

    private GatewayPolicy Policy(bool reporting = true) => new()
    {
        HostName = "mx.gateway.test",
        StateDirectory = _state,
        Domains = ["gateway.test"],
        Delivery = new DeliveryPolicy { Tls = new OutboundTlsPolicy { Reporting = new TlsReportingPolicy { Enabled = reporting, Organization = "Gateway Test Org" } } },
    };

    private TlsRptCollector Collector() =>
        new(new TlsRptCollectorOptions { Directory = Path.Combine(_state, "tlsrpt") }, _time);

    private FileQueueStore Queue()
    {
        var queue = new FileQueueStore(Path.Combine(_state, "queue"), _time, new FileTraceLog(Path.Combine(_state, "log")), NullLogger<FileQueueStore>.Instance);
        _disposables.Add(queue);
        return queue;
    }

    private TlsRptReportService Service(GatewayPolicy policy, TlsRptCollector collector, IDnsResolver dns, FileQueueStore queue, HttpClient http)
    {
        var runtime = PolicyRuntime.TryBuild(policy, TestRuntimeServices.Create(), out var errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
        var holder = new RuntimeHolder(runtime, TestRuntimeServices.Create(), NullLogger<RuntimeHolder>.Instance);
        return new TlsRptReportService(holder, collector, new TlsRptRecordLookup(dns), new QueueReportOutbox(queue, _time), http, _time, NullLogger<TlsRptReportService>.Instance);
    }

    private static async Task<List<QueueEntry>> EntriesAsync(FileQueueStore queue)
    {
        var entries = new List<QueueEntry>();
        await foreach (var entry in queue.ListAsync(CancellationToken.None))
        {
            entries.Add(entry);
        }

        return entries;
    }

    [Fact]
    public async Task After_the_day_ends_its_report_is_posted_to_the_https_rua_and_queued_for_the_mailto_rua()
    {
        using var ca = new TestCertificateAuthority("TLS-RPT Test");
        using var certificate = ca.Issue("reports.remote.test");
        await using var endpoint = await ReportEndpoint.StartAsync(certificate, ca.Intermediate);
        var dns = new InMemoryDnsResolver()
            .AddTxt("_smtp._tls.remote.test", $"v=TLSRPTv1; rua=https://reports.remote.test:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}/v1/tlsrpt,mailto:tlsrpt@remote.test")
            .AddA("reports.remote.test", "127.0.0.1");
        var queue = Queue();
        using var http = TlsRptHttpClient.Create(dns, new X509Certificate2Collection(ca.Root));
        using var collector = Collector();
        var service = Service(Policy(), collector, dns, queue, http);
        collector.RecordSuccess(Sts);
        collector.RecordSuccess(Sts);
        collector.RecordFailure(Sts, NoStartTls);

        // The day is not over: nothing goes out.
        await service.RunOnceAsync(CancellationToken.None);
        Assert.Empty(endpoint.Requests);
        Assert.Empty(await EntriesAsync(queue));

        _time.Advance(TimeSpan.FromHours(14) + TimeSpan.FromMinutes(5));
        await service.RunOnceAsync(CancellationToken.None);

        var request = Assert.Single(endpoint.Requests);
        Assert.Equal(("POST", "/v1/tlsrpt", "application/tlsrpt+gzip"), (request.Method, request.Path, request.ContentType));
        using var gunzip = new GZipStream(new MemoryStream(request.Body), CompressionMode.Decompress);
        using var json = await JsonDocument.ParseAsync(gunzip);
        AssertRfc8460Report(json.RootElement);

        var entry = Assert.Single(await EntriesAsync(queue));
        Assert.Equal(QueuedEnvelope.ReportOrigin, entry.Envelope.Origin);
        Assert.Equal("postmaster@mx.gateway.test", entry.Envelope.From);
        var recipient = Assert.Single(entry.Envelope.Recipients);
        Assert.Equal(("tlsrpt@remote.test", MailDirection.Outbound, DsnNotify.Never), (recipient.Address, recipient.Direction, recipient.Notify));
        await using var stored = await queue.OpenMessageAsync(entry.Envelope.QueueId, CancellationToken.None);
        var message = await MimeMessage.LoadAsync(stored);
        Assert.Equal("remote.test", message.Headers["TLS-Report-Domain"]);
        Assert.Equal("mx.gateway.test", message.Headers["TLS-Report-Submitter"]);
        var attachment = Assert.IsType<MimePart>(Assert.IsType<MultipartReport>(message.Body)[1]);
        Assert.Equal("application/tlsrpt+gzip", attachment.ContentType.MimeType);
        using var decoded = new MemoryStream();
        await attachment.Content!.DecodeToAsync(decoded);
        Assert.Equal(request.Body, decoded.ToArray());

        // Sent once: the day is forgotten, and so is it in the saved counters.
        await service.RunOnceAsync(CancellationToken.None);
        Assert.Single(endpoint.Requests);
        using var reloaded = Collector();
        await reloaded.LoadAsync(CancellationToken.None);
        Assert.Empty(reloaded.PendingDays(includeToday: true));
    }

    /// <summary>The members and values RFC 8460 4.4 asks for, for one day of remote.test.</summary>
    private static void AssertRfc8460Report(JsonElement report)
    {
        Assert.Equal("Gateway Test Org", report.GetProperty("organization-name").GetString());
        Assert.Equal("2026-03-01T00:00:00Z", report.GetProperty("date-range").GetProperty("start-datetime").GetString());
        Assert.Equal("2026-03-01T23:59:59Z", report.GetProperty("date-range").GetProperty("end-datetime").GetString());
        Assert.Equal("postmaster@mx.gateway.test", report.GetProperty("contact-info").GetString());
        Assert.Equal("2026-03-01T00:00:00Z_remote.test@mx.gateway.test", report.GetProperty("report-id").GetString());
        var result = Assert.Single(report.GetProperty("policies").EnumerateArray());
        var policy = result.GetProperty("policy");
        Assert.Equal("sts", policy.GetProperty("policy-type").GetString());
        Assert.Equal(Sts.PolicyStrings, policy.GetProperty("policy-string").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("remote.test", policy.GetProperty("policy-domain").GetString());
        Assert.Equal(["mx.remote.test"], policy.GetProperty("mx-host").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(2, result.GetProperty("summary").GetProperty("total-successful-session-count").GetInt64());
        Assert.Equal(1, result.GetProperty("summary").GetProperty("total-failure-session-count").GetInt64());
        var failure = Assert.Single(result.GetProperty("failure-details").EnumerateArray());
        Assert.Equal("starttls-not-supported", failure.GetProperty("result-type").GetString());
        Assert.Equal("127.0.0.1", failure.GetProperty("sending-mta-ip").GetString());
        Assert.Equal("mx.remote.test", failure.GetProperty("receiving-mx-hostname").GetString());
        Assert.Equal("127.0.0.9", failure.GetProperty("receiving-ip").GetString());
        Assert.Equal(1, failure.GetProperty("failed-session-count").GetInt64());
    }

    [Fact]
    public async Task The_running_service_sends_within_one_check_of_the_day_end_and_its_counters_survive_a_restart()
    {
        var dns = new InMemoryDnsResolver().AddTxt("_smtp._tls.remote.test", "v=TLSRPTv1; rua=mailto:tlsrpt@remote.test");
        var queue = Queue();
        using var http = new HttpClient();
        using (var first = Collector())
        {
            var service = Service(Policy(), first, dns, queue, http);
            await service.StartAsync(CancellationToken.None);
            first.RecordFailure(Sts, NoStartTls);
            await service.StopAsync(CancellationToken.None);
        }

        // A new process: the saved counts are loaded at start, and the day goes out at the first check after it ends.
        using var second = Collector();
        var restarted = Service(Policy(), second, dns, queue, http);
        await restarted.StartAsync(CancellationToken.None);
        Assert.Equal(1, Assert.Single(second.PendingDays(includeToday: true)).Policies[0].FailedSessions);
        _time.Advance(TimeSpan.FromHours(14));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await EntriesAsync(queue)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no report queued after the day ended");

            // Each step fires the service's pending check (a step taken before it waits is caught by the next one).
            _time.Advance(TlsRptReportService.CheckEvery);
            await Task.Delay(20);
        }

        await restarted.StopAsync(CancellationToken.None);
        Assert.Equal("tlsrpt@remote.test", Assert.Single(Assert.Single(await EntriesAsync(queue)).Envelope.Recipients).Address);
        Assert.Empty(second.PendingDays(includeToday: true));
    }

    [Fact]
    public async Task With_reporting_off_nothing_is_sent_and_the_counts_are_kept()
    {
        var dns = new InMemoryDnsResolver().AddTxt("_smtp._tls.remote.test", "v=TLSRPTv1; rua=mailto:tlsrpt@remote.test");
        var queue = Queue();
        using var http = new HttpClient();
        using var collector = Collector();
        var service = Service(Policy(reporting: false), collector, dns, queue, http);
        collector.RecordFailure(Sts, NoStartTls);
        _time.Advance(TimeSpan.FromDays(1));

        await service.RunOnceAsync(CancellationToken.None);

        Assert.Empty(await EntriesAsync(queue));
        Assert.Single(collector.PendingDays(includeToday: false));
    }
}
