using Microsoft.Extensions.Logging;

namespace Gateway.Host.Quarantine;

internal static partial class QuarantineHostLog
{
    [LoggerMessage(EventId = 5180, Level = LogLevel.Warning, Message = "Admin request {Method} {Path} from {Remote} refused: {Why}")]
    public static partial void AdminRefused(ILogger logger, string method, string path, string remote, string why);

    [LoggerMessage(EventId = 5181, Level = LogLevel.Warning, Message = "Quarantine retention sweep failed; it runs again in {Interval}")]
    public static partial void SweepFailed(ILogger logger, string interval, Exception exception);

    [LoggerMessage(EventId = 5182, Level = LogLevel.Information, Message = "Quarantine retention {Retention}: {Count} item(s) deleted")]
    public static partial void Swept(ILogger logger, string retention, int count);

    [LoggerMessage(EventId = 5183, Level = LogLevel.Information, Message = "Quarantine digest: {Count} digest(s) queued")]
    public static partial void DigestSent(ILogger logger, int count);

    [LoggerMessage(EventId = 5184, Level = LogLevel.Warning, Message = "Quarantine digest failed; it is tried again in {Interval}")]
    public static partial void DigestFailed(ILogger logger, string interval, Exception exception);
}
