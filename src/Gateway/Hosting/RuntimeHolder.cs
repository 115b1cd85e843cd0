using Gateway.Authentication.Reports;
using Gateway.Policy;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// Holds the runtime new sessions start from. A reloaded policy replaces it atomically; sessions already
/// running keep the snapshot they opened with.
/// </summary>
internal sealed class RuntimeHolder : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ILogger<RuntimeHolder> _logger;
    private readonly ILoggerFactory? _loggers;
    private readonly DmarcReportStore? _reports;
    private PolicyRuntime _current;

    public RuntimeHolder(PolicyRuntime initial, TimeProvider time, ILogger<RuntimeHolder> logger, ILoggerFactory? loggers = null, DmarcReportStore? reports = null)
    {
        _current = initial;
        _time = time;
        _logger = logger;
        _loggers = loggers;
        _reports = reports;
        LoadedAt = time.GetUtcNow();
    }

    public PolicyRuntime Current => Volatile.Read(ref _current);

    public DateTimeOffset LoadedAt { get; private set; }

    /// <summary>Called when the policy store accepted a new policy: build its runtime, swap if it is whole.</summary>
    public void Apply(GatewayPolicy policy)
    {
        var runtime = PolicyRuntime.TryBuild(policy, _time, out var errors, _loggers, _reports);
        if (runtime is null)
        {
            foreach (var error in errors)
            {
                HostLog.RuntimeRejected(_logger, error.ToString());
            }

            return;
        }

        // The previous certificate may still be in use by sessions that opened under it; it is left to the
        // finalizer rather than disposed under their feet.
        Interlocked.Exchange(ref _current, runtime);
        LoadedAt = _time.GetUtcNow();
        HostLog.RuntimeApplied(_logger, policy.SourceFiles.Count);
    }

    public void Dispose() => Current.Dispose();
}
