using Microsoft.Extensions.Logging;

namespace Gateway.Policy;

/// <summary>Log messages of the policy component (event ids 1100-1199).</summary>
internal static partial class PolicyLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Policy read and valid: {File} ({FileCount} files, {ListenerCount} listeners, {DomainCount} domains); applying it (event 102 when applied, 103 when not)")]
    public static partial void PolicyReloaded(ILogger logger, string file, int fileCount, int listenerCount, int domainCount);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Policy reload rejected, keeping the running policy: {Error}")]
    public static partial void PolicyError(ILogger logger, string error);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "A policy change handler failed")]
    public static partial void ChangedHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Debug, Message = "Watching {Directory} for policy changes")]
    public static partial void WatchingDirectory(ILogger logger, string directory);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Debug, Message = "Policy file event {ChangeType} on {Path}")]
    public static partial void FileEvent(ILogger logger, WatcherChangeTypes changeType, string path);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "Policy file watcher error; reloading to be safe")]
    public static partial void WatcherError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1113, Level = LogLevel.Warning, Message = "Cannot watch {Directory} for policy changes")]
    public static partial void CannotWatch(ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 1114, Level = LogLevel.Error, Message = "Policy reload after a file change failed unexpectedly")]
    public static partial void ReloadFailed(ILogger logger, Exception exception);
}
