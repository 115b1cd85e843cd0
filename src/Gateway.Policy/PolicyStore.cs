using Microsoft.Extensions.Logging;

namespace Gateway.Policy;

/// <summary>
/// Holds the running policy and replaces it atomically on a successful reload. A failed reload logs each
/// error and leaves the running policy in force (DESIGN invariant 6). Readers take one snapshot via
/// <see cref="Current"/> and keep it for the unit of work (a session, a message).
/// </summary>
public sealed class PolicyStore
{
    private readonly string _path;
    private readonly ILogger<PolicyStore> _logger;
    private readonly Lock _reloadLock = new();
    private GatewayPolicy _current;

    public PolicyStore(string path, GatewayPolicy initial, ILogger<PolicyStore> logger)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(logger);
        _path = path;
        _current = initial;
        _logger = logger;
    }

    /// <summary>The path of the main policy file this store reloads from.</summary>
    public string Path => _path;

    public GatewayPolicy Current => Volatile.Read(ref _current);

    /// <summary>
    /// Raised after a successful reload with the new policy, on the reloading thread. A throwing handler is
    /// logged and does not stop the others.
    /// </summary>
    public event Action<GatewayPolicy>? Changed;

    /// <summary>Re-reads the policy. Valid: swap, log, raise <see cref="Changed"/>. Invalid: log each error, keep current.</summary>
    public PolicyLoadResult Reload()
    {
        // Serialised so a SIGHUP and a file event cannot publish two policies out of order.
        lock (_reloadLock)
        {
            var result = PolicyLoader.Load(_path);
            if (!result.Success)
            {
                foreach (var error in result.Errors)
                {
                    PolicyLog.PolicyError(_logger, error.ToString());
                }

                return result;
            }

            var policy = result.Policy!;
            Volatile.Write(ref _current, policy);
            PolicyLog.PolicyReloaded(_logger, _path, policy.SourceFiles.Count, policy.Listeners.Count, policy.Domains.Count);
            var handlers = Changed;
            if (handlers is not null)
            {
                foreach (var handler in handlers.GetInvocationList().Cast<Action<GatewayPolicy>>())
                {
                    try
                    {
                        handler(policy);
                    }
                    catch (Exception ex)
                    {
                        PolicyLog.ChangedHandlerFailed(_logger, ex);
                    }
                }
            }

            return result;
        }
    }
}
