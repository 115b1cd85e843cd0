using System.Globalization;
using Gateway.Host.Hosting;
using Gateway.Host.Spool;
using Gateway.Policy;
using Gateway.Policy.Validation;
using Gateway.Queue;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Quarantine;

/// <summary>
/// The quarantine's housekeeping, at start-up (after the spool is recovered) and then every hour, with the policy in
/// force: deletes items whose retention (quarantine.retention) has ended, never with a bounce (see
/// <see cref="MessageQuarantine"/>), and, with quarantine.digest, queues the day's per-recipient digest once the
/// digest hour has come. When the last digest went out is kept in &lt;state&gt;/quarantine/digest-sent, so a restart
/// neither repeats nor skips a day.
/// </summary>
internal sealed class QuarantineRetentionService(
    MessageQuarantine quarantine, IQueueStore store, RuntimeHolder runtime, TimeProvider time, ILogger<QuarantineRetentionService> logger) : BackgroundService
{
    // Retention is counted in days and the digest is daily; an hour late is nothing, and a run lists the whole spool.
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var policy = runtime.Current.Policy;
            var retention = policy.Quarantine.Retention;
            try
            {
                var count = await quarantine.ExpireAsync(retention, stoppingToken).ConfigureAwait(false);
                if (count > 0)
                {
                    // The policy's own spelling ("30d"), not TimeSpan's "30.00:00:00"; once an hour at most.
                    var described = DurationParser.Describe(retention);
                    QuarantineHostLog.Swept(logger, described, count);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                QuarantineHostLog.SweepFailed(logger, DurationParser.Describe(Interval), ex);
            }

            if (policy.Quarantine.Digest)
            {
                try
                {
                    await DigestAsync(policy, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    QuarantineHostLog.DigestFailed(logger, DurationParser.Describe(Interval), ex);
                }
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

    private async Task DigestAsync(GatewayPolicy policy, CancellationToken cancellationToken)
    {
        var path = Path.Combine(SpoolPaths.QuarantineDirectory(policy), "digest-sent");
        var last = LastSent(path);
        var now = time.GetUtcNow();
        if (!QuarantineDigest.IsDue(last, now, policy.Quarantine.DigestHour))
        {
            return;
        }

        var digest = new QuarantineDigest(quarantine, store, time, policy.HostName);
        var ids = await digest.SendAsync(last ?? now - TimeSpan.FromDays(1), cancellationToken).ConfigureAwait(false);

        // Recorded after the digests are queued: a crash in between sends one twice, never none.
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, now.ToString("O", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
        QuarantineHostLog.DigestSent(logger, ids.Count);
    }

    private static DateTimeOffset? LastSent(string path)
    {
        try
        {
            return DateTimeOffset.TryParse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var last) ? last : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
