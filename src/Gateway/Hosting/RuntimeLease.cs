namespace Gateway.Host.Hosting;

/// <summary>
/// One user's hold on a <see cref="PolicyRuntime"/> (a session, a report run): while it is held, the runtime's
/// certificate and keys stay usable, even after a reload replaced it. Disposing it more than once releases once.
/// </summary>
internal sealed class RuntimeLease : IDisposable
{
    private int _released;

    public RuntimeLease(PolicyRuntime runtime)
    {
        Runtime = runtime;
    }

    public PolicyRuntime Runtime { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Runtime.Release();
        }
    }
}
