using Microsoft.Extensions.Logging;

namespace Gateway.Queue;

internal static partial class QueueStoreLog
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning,
        Message = "Spooling message {QueueId} failed, answering {Reply}")]
    public static partial void SpoolFailed(ILogger logger, string queueId, string reply, Exception exception);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning,
        Message = "Spool file {Path} is incomplete or damaged ({Problem}); moved to corrupt/")]
    public static partial void CorruptFile(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 5111, Level = LogLevel.Error,
        Message = "Spool file {Path} could not be read ({Problem}); left in place for the next start, the rest of the queue is recovered")]
    public static partial void UnreadableFile(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information,
        Message = "Spool recovered: {Messages} messages, {Temporary} temporary files removed, {Corrupt} damaged files set aside")]
    public static partial void Recovered(ILogger logger, int messages, int temporary, int corrupt);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Warning,
        Message = "State file of {QueueId} is unreadable; every recipient is treated as pending")]
    public static partial void StateUnreadable(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "Writing a trace event failed")]
    public static partial void TraceFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Error, Message = "A MessageQueued handler failed for {QueueId}")]
    public static partial void HandlerFailed(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 5108, Level = LogLevel.Warning, Message = "Could not remove {Path}")]
    public static partial void CleanupFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 5109, Level = LogLevel.Information, Message = "Message {QueueId} removed from the queue: {Reason}")]
    public static partial void Removed(ILogger logger, string queueId, string reason);

    [LoggerMessage(EventId = 5112, Level = LogLevel.Warning,
        Message = "Message {QueueId} was found past damage in spool segment {Path}: moved into the queue on hold; check it before releasing it")]
    public static partial void HeldAfterDamage(ILogger logger, string queueId, string path);

    [LoggerMessage(EventId = 5110, Level = LogLevel.Debug, Message = "State of {QueueId} not saved: the message is no longer queued")]
    public static partial void StateForMissingMessage(ILogger logger, string queueId);
}
