using Gateway.Queue;
using Gateway.Queue.Scheduling;
using Microsoft.Extensions.Hosting;

namespace Gateway.Host.Hosting;

/// <summary>
/// Recovers the spool before the SMTP listeners open (registered first, so it starts first and stops last) and
/// runs the delivery scheduler until shutdown.
/// </summary>
internal sealed class QueueHostedService(IQueueStore store, QueueScheduler scheduler) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _running;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.RecoverAsync(cancellationToken).ConfigureAwait(false);
        _running = scheduler.RunAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_running is not null)
        {
            // The scheduler leaves every message's state as it was: an interrupted attempt is retried after restart.
            await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stopping.Dispose();
}
