namespace Gateway.Bench;

/// <summary>
/// Samples a server's memory every 250 ms while a run goes on and keeps the peaks: summed PSS over its
/// processes (the fair figure for a many-process server), summed RSS, and the kernel's own peak RSS
/// (VmHWM) of each process, which also catches spikes between samples.
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly IBenchTarget _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MemorySampler(IBenchTarget target)
    {
        _target = target;
        _loop = Task.Run(RunAsync);
    }

    public long PeakPss { get; private set; }

    public long PeakRss { get; private set; }

    /// <summary>Largest VmHWM of any one process seen (for the single-process gateway: its peak RSS).</summary>
    public long PeakHwm { get; private set; }

    public int Samples { get; private set; }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Takes one last sample and stops.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Sample();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                Sample();
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Sample()
    {
        IReadOnlyList<int> processes;
        try
        {
            processes = _target.Processes();
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return;
        }

        PeakPss = Math.Max(PeakPss, ProcessMemory.Sum(processes, ProcessMemory.ProportionalBytes));
        PeakRss = Math.Max(PeakRss, ProcessMemory.Sum(processes, ProcessMemory.ResidentBytes));
        foreach (var pid in processes)
        {
            PeakHwm = Math.Max(PeakHwm, ProcessMemory.Sum([pid], ProcessMemory.PeakResidentBytes));
        }

        Samples++;
    }
}
