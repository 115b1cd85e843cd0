using Gateway.Authentication.Reports;
using Gateway.Host.Hosting;
using Gateway.Policy;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Reports;

/// <summary>
/// Runs <see cref="DmarcReporting"/> on the policy in force every few minutes, so each reporting period goes out
/// soon after it completes; with reports off it only waits. Composition only: what a report is and when a period
/// is due lives in Gateway.Authentication.
/// </summary>
internal sealed partial class DmarcReportService(
    RuntimeHolder runtime,
    RuntimeServices services,
    IDmarcReportOutbox outbox,
    DmarcReportStore store,
    ILoggerFactory loggers) : BackgroundService
{
    // Checked this often: a period's end is noticed within this much.
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMinutes(5);

    private readonly ILogger _logger = loggers.CreateLogger<DmarcReportService>();

    // Built once per policy snapshot, not at every check.
    private (GatewayPolicy Policy, DmarcReporting Reporting)? _reporting;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // The lease keeps the snapshot's signing keys alive while a report is signed with them.
            using (var lease = runtime.Acquire())
            {
                var current = lease.Runtime;
                if (current.Policy.Authentication.Dmarc.Reports.Enabled)
                {
                    try
                    {
                        var reporting = ReportingFor(current.Policy);
                        var keys = current.Authentication?.KeysFor(reporting.FromDomain) ?? [];
                        if (await reporting.SendDueAsync(outbox, keys, stoppingToken).ConfigureAwait(false) is { } run)
                        {
                            ReportsQueued(_logger, run.Queued, run.Begin, run.End);
                        }
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                    {
                        // Tried again at the next check; the evaluations stay on disk until then.
                        ReportsFailed(_logger, ex);
                    }
                }
            }

            await Task.Delay(CheckEvery, services.Time, stoppingToken).ConfigureAwait(false);
        }
    }

    private DmarcReporting ReportingFor(GatewayPolicy policy)
    {
        if (_reporting is not { } cached || !ReferenceEquals(cached.Policy, policy))
        {
            var suffixes = services.Suffixes.Get(policy.Authentication.Dmarc.PublicSuffixList);
            cached = (policy, new DmarcReporting(DmarcReportingSettings.For(policy), store, services.Dns, suffixes, services.Time, loggers));
            _reporting = cached;
        }

        return cached.Reporting;
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "DMARC aggregate reports queued: {Count} for {Begin:u} to {End:u}")]
    private static partial void ReportsQueued(ILogger logger, int count, DateTimeOffset begin, DateTimeOffset end);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "DMARC aggregate reports could not be built or queued; retrying later")]
    private static partial void ReportsFailed(ILogger logger, Exception exception);
}
