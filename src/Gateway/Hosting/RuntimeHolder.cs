using Gateway.Policy;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// Holds the runtime new sessions start from. A reloaded policy replaces it atomically; sessions already
/// running keep the snapshot they opened with (through their lease), and the replaced runtime's keys are
/// disposed when the last of them ends.
/// </summary>
internal sealed class RuntimeHolder : IDisposable
{
    private readonly RuntimeServices _services;
    private readonly ILogger<RuntimeHolder> _logger;

    // Builds one runtime at a time: a certificate renewal must not swap an older policy over a reload in progress.
    private readonly Lock _gate = new();
    private PolicyRuntime _current;
    private int _disposed;

    public RuntimeHolder(PolicyRuntime initial, RuntimeServices services, ILogger<RuntimeHolder> logger)
    {
        _current = initial;
        BoundListeners = initial.Policy.Listeners;
        _services = services;
        _logger = logger;
        LoadedAt = services.Time.GetUtcNow();
    }

    /// <summary>The listeners as the start's policy defined them: their sockets stay bound as they are until restart.</summary>
    public IReadOnlyList<ListenerPolicy> BoundListeners { get; }

    /// <summary>The runtime in force, for reading its policy; whoever uses its keys or certificate takes a lease.</summary>
    public PolicyRuntime Current => Volatile.Read(ref _current);

    public DateTimeOffset LoadedAt { get; private set; }

    /// <summary>A lease on the runtime in force; dispose it when done (a session: when the connection ends).</summary>
    public RuntimeLease Acquire()
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

            // A runtime replaced between reading it and leasing it may have lost its last reference; the
            // replacement is already in place then, so the next read finds it.
            if (Current.TryLease() is { } lease)
            {
                return lease;
            }
        }
    }

    /// <summary>Called when the policy store accepted a new policy: build its runtime, swap if it is whole.</summary>
    public void Apply(GatewayPolicy policy)
    {
        lock (_gate)
        {
            Replace(policy);
        }
    }

    /// <summary>
    /// Rebuilds the runtime in force from its own policy because its certificate files changed (a renewal), unless
    /// another runtime replaced it meanwhile. False when the new files do not load: the running certificates stay,
    /// and the errors are logged at the policy nodes that name the files.
    /// </summary>
    public bool ReloadCertificates(PolicyRuntime expected)
    {
        lock (_gate)
        {
            return !ReferenceEquals(Current, expected) || Replace(expected.Policy);
        }
    }

    private bool Replace(GatewayPolicy policy)
    {
        var runtime = PolicyRuntime.TryBuild(policy, _services, out var errors);
        if (runtime is null)
        {
            foreach (var error in errors)
            {
                HostLog.RuntimeRejected(_logger, error.ToString());
            }

            return false;
        }

        var previous = Interlocked.Exchange(ref _current, runtime);
        LoadedAt = _services.Time.GetUtcNow();
        HostLog.RuntimeApplied(_logger, policy.SourceFiles.Count);

        // The holder's reference: the keys go now if no session uses them, else when the last one ends.
        previous.Dispose();
        return true;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Current.Dispose();
        }
    }
}
