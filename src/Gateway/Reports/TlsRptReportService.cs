using Gateway.Host.Hosting;
using Gateway.Policy;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Reports;

/// <summary>
/// Keeps the TLS-RPT counters (RFC 8460 4) across restarts and sends the daily reports: loads the saved counters at
/// start, saves them every few minutes and at shutdown, and after each UTC day ends sends that day's reports to the
/// rua destinations of every policy domain that publishes them, by mail through our queue or by HTTPS POST.
/// Composition only: what a report is lives in Gateway.Transport.
/// </summary>
internal sealed partial class TlsRptReportService(
    RuntimeHolder runtime,
    TlsRptCollector collector,
    TlsRptRecordLookup records,
    ITlsRptReportOutbox outbox,
    HttpClient http,
    TimeProvider time,
    ILogger<TlsRptReportService> logger) : BackgroundService
{
    /// <summary>
    /// Checked this often: a day's end is noticed within this much, and a crash loses at most this much of the
    /// counts (a statistical report a little smaller, nothing worse).
    /// </summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromMinutes(5);

    // Built once per policy snapshot, not at every check.
    private (GatewayPolicy Policy, TlsRptReporting Reporting)? _reporting;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Counts recorded before the load (a delivery in the first instant) are kept: loading adds to them.
        await collector.LoadAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await SaveAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(CheckEvery, time, stoppingToken).ConfigureAwait(false);
            await RunOnceAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One check: send the completed days (when reporting is on), then save what is left.</summary>
    internal async Task RunOnceAsync(CancellationToken ct)
    {
        var policy = runtime.Current.Policy;
        if (policy.Delivery.Tls.Reporting.Enabled)
        {
            try
            {
                var sent = await ReportingFor(policy).SendCompletedAsync(ct).ConfigureAwait(false);
                foreach (var (report, outcomes) in sent)
                {
                    foreach (var (destination, result) in outcomes)
                    {
                        var shown = Redacted(destination);
                        if (result.Sent)
                        {
                            ReportSent(logger, report.PolicyDomain, report.ReportId, shown);
                        }
                        else
                        {
                            ReportNotSent(logger, report.PolicyDomain, report.ReportId, shown, result.Error ?? "unknown");
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Reports are best effort (RFC 8460 5): the days taken are gone, later days are tried as usual.
                ReportsFailed(logger, ex);
            }
        }

        await SaveAsync(ct).ConfigureAwait(false);
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await collector.SaveAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Counting goes on in memory; the next save tries again.
            SaveFailed(logger, ex);
        }
    }

    private TlsRptReporting ReportingFor(GatewayPolicy policy)
    {
        if (_reporting is not { } cached || !ReferenceEquals(cached.Policy, policy))
        {
            var options = TlsRptReportingSettings.For(policy);
            ITlsRptReportSender[] senders =
            [
                new MailtoTlsRptReportSender(new TlsRptMailComposer(options, time), outbox),
                new HttpsTlsRptReportSender(http),
            ];
            cached = (policy, new TlsRptReporting(collector, records, new TlsRptReportBuilder(options), senders));
            _reporting = cached;
        }

        return cached.Reporting;
    }

    /// <summary>A destination as logged: an https URI may carry a token in its query, which stays out of the log.</summary>
    private static string Redacted(Uri destination) =>
        destination.Scheme == Uri.UriSchemeHttps ? destination.GetLeftPart(UriPartial.Path) : destination.OriginalString;

    [LoggerMessage(EventId = 140, Level = LogLevel.Information, Message = "TLS report {ReportId} for {Domain} sent to {Destination}")]
    private static partial void ReportSent(ILogger logger, string domain, string reportId, string destination);

    [LoggerMessage(EventId = 141, Level = LogLevel.Warning, Message = "TLS report {ReportId} for {Domain} not sent to {Destination}: {Error}")]
    private static partial void ReportNotSent(ILogger logger, string domain, string reportId, string destination, string error);

    [LoggerMessage(EventId = 142, Level = LogLevel.Warning, Message = "TLS reports could not be built or sent")]
    private static partial void ReportsFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 143, Level = LogLevel.Warning, Message = "TLS-RPT counters could not be saved; retrying at the next check")]
    private static partial void SaveFailed(ILogger logger, Exception exception);
}
