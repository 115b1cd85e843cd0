using Gateway.Host.Hosting;
using Gateway.Queue;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Quarantine;

/// <summary>
/// Deletes quarantine items whose retention (quarantine.retention of the policy in force) has ended: at start-up,
/// after the spool is recovered, and then every hour. Expiry is a deletion, never a bounce (see
/// <see cref="MessageQuarantine"/>), and each one is logged and traced.
/// </summary>
internal sealed class QuarantineRetentionService(
    MessageQuarantine quarantine, RuntimeHolder runtime, TimeProvider time, ILogger<QuarantineRetentionService> logger) : BackgroundService
{
    // Retention is counted in days; an hour late is nothing, and the sweep lists the whole spool.
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var retention = runtime.Current.Policy.Quarantine.Retention;
            try
            {
                var count = await quarantine.ExpireAsync(retention, stoppingToken).ConfigureAwait(false);
                if (count > 0)
                {
                    QuarantineHostLog.Swept(logger, retention, count);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                QuarantineHostLog.SweepFailed(logger, Interval, ex);
            }

            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
