using Microsoft.Extensions.Logging;

namespace Gateway.Host;

internal static partial class HostLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Gateway {Version} started: policy {PolicyFile}, SMTP on {Endpoints}, admin HTTP on {Admin}")]
    public static partial void Started(ILogger logger, string version, string policyFile, string endpoints, string admin);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Policy applied to new sessions ({FileCount} file(s))")]
    public static partial void RuntimeApplied(ILogger logger, int fileCount);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Policy not applied, the running policy stays: {Error}")]
    public static partial void RuntimeRejected(ILogger logger, string error);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "SIGHUP received: reloading the policy")]
    public static partial void ReloadSignal(ILogger logger);

    [LoggerMessage(EventId = 105, Level = LogLevel.Critical, Message = "Gateway failed to start")]
    public static partial void StartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 112, Level = LogLevel.Critical, Message = "Gateway failed to start: {Reason}")]
    public static partial void BindFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 113, Level = LogLevel.Warning, Message = "admin.listen changed from {Running} to {Configured}; the admin endpoint is bound at start and stays on {Running}: restart the gateway to move it (until then `gateway health` without --socket asks the new address)")]
    public static partial void AdminListenNeedsRestart(ILogger logger, string running, string configured);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Gateway stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "Listener names, addresses, TLS modes or PROXY protocol settings changed ({Listeners}); listeners are set up at start, restart the gateway to apply them")]
    public static partial void ListenersNeedRestart(ILogger logger, string listeners);

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "state_directory changed from {Running} to {Configured}; the queue and quarantine stay where they were opened at start: restart the gateway to use the new directory (until then the command line reads the new one)")]
    public static partial void StateDirectoryNeedsRestart(ILogger logger, string running, string configured);

    [LoggerMessage(EventId = 109, Level = LogLevel.Information, Message = "systemd notified: ready (watchdog every {WatchdogSeconds} s, 0: none)")]
    public static partial void NotifiedReady(ILogger logger, double watchdogSeconds);

    [LoggerMessage(EventId = 108, Level = LogLevel.Error, Message = "Delivery settings not applied, deliveries go on as before: {Error}")]
    public static partial void DeliveryNotReloaded(ILogger logger, string error);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "spam.model {Path} was written by an older gateway (file version {FileVersion}): about half of its features no longer match what the scanner extracts, so spam scoring is weaker until it is retrained with `gateway spam train` into a new file")]
    public static partial void SpamModelOutdated(ILogger logger, string path, int fileVersion);
}
