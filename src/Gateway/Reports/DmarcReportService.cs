using Gateway.Host.Hosting;
using Gateway.Queue;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Reports;

/// <summary>
/// Sends the DMARC aggregate reports once each reporting period is complete (RFC 7489 7.2; ri= is a request,
/// the policy's interval decides). Runs on the policy in force; with reports off it only waits.
/// </summary>
internal sealed partial class DmarcReportService(
    RuntimeHolder runtime,
    FileQueueStore queue,
    Gateway.Authentication.Reports.DmarcReportStore store,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    // Checked this often: a period's end is noticed within this much.
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMinutes(5);

    private readonly ILogger _logger = loggers.CreateLogger<DmarcReportService>();

    // Built once per policy snapshot (it loads the Public Suffix List and makes a resolver), not at every check.
    private (Gateway.Policy.GatewayPolicy Policy, DmarcReporting Reporting)? _reporting;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var current = runtime.Current;
            if (current.Policy.Authentication.Dmarc.Reports.Enabled)
            {
                try
                {
                    if (_reporting is not { } cached || !ReferenceEquals(cached.Policy, current.Policy))
                    {
                        _reporting = (current.Policy, new DmarcReporting(current.Policy, store, time, loggers));
                    }

                    var reporting = _reporting.Value.Reporting;
                    if (reporting.DuePeriod() is { } period)
                    {
                        var reports = await reporting.BuildAsync(period.Begin, period.End, stoppingToken).ConfigureAwait(false);
                        var sent = await reporting.SendAsync(reports, queue, current.Authentication, stoppingToken).ConfigureAwait(false);
                        await reporting.MarkSentAsync(period.End, stoppingToken).ConfigureAwait(false);
                        ReportsQueued(_logger, sent, period.Begin, period.End);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Tried again at the next check; the evaluations stay on disk until then.
                    ReportsFailed(_logger, ex);
                }
            }

            await Task.Delay(CheckEvery, time, stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "DMARC aggregate reports queued: {Count} for {Begin:u} to {End:u}")]
    private static partial void ReportsQueued(ILogger logger, int count, DateTimeOffset begin, DateTimeOffset end);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "DMARC aggregate reports could not be built or queued; retrying later")]
    private static partial void ReportsFailed(ILogger logger, Exception exception);
}
