using Gateway.Host.Hosting;
using Gateway.Transport.MtaSts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.MtaSts;

/// <summary>
/// Keeps the destinations' cached MTA-STS policies from lapsing (RFC 8461 10.2): every hour asks the resolver to
/// refetch those near expiry and to drop the expired ones, and logs what it did. Which policies are due, and what a
/// failed refetch means, is <see cref="MtaStsPolicyResolver.RefreshAsync"/>'s decision; with delivery.tls.mta_sts off
/// it only waits.
/// </summary>
internal sealed partial class MtaStsRefreshService(
    RuntimeHolder runtime,
    MtaStsPolicyResolver resolver,
    IMtaStsPolicyCache cache,
    TimeProvider time,
    ILogger<MtaStsRefreshService> logger) : BackgroundService
{
    /// <summary>
    /// Hourly: policies live days or weeks and are renewed from a third of their max_age before expiry, so an hour
    /// costs nothing in safety, and a failed refetch gets many tries before the policy expires.
    /// </summary>
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            await Task.Delay(RefreshEvery, time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One refresh of the cache, when the policy in force uses MTA-STS.</summary>
    internal async Task RunOnceAsync(CancellationToken ct)
    {
        if (!runtime.Current.Policy.Delivery.Tls.MtaSts)
        {
            return;
        }

        try
        {
            var before = cache.Entries.Count;
            var renewed = await resolver.RefreshAsync(ct).ConfigureAwait(false);
            // Deliveries may cache new domains meanwhile; only a shrinking count is removals.
            var removed = Math.Max(0, before - cache.Entries.Count);
            Refreshed(logger, before, renewed, removed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The cached policies stay in force; the next hour tries again.
            RefreshFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "MTA-STS cache refreshed: {Cached} policies cached, {Renewed} renewed, {Removed} expired and removed")]
    private static partial void Refreshed(ILogger logger, int cached, int renewed, int removed);

    [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "MTA-STS cache refresh failed; cached policies stay in force")]
    private static partial void RefreshFailed(ILogger logger, Exception exception);
}
