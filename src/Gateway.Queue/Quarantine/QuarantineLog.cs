using Microsoft.Extensions.Logging;

namespace Gateway.Queue;

internal static partial class QuarantineLog
{
    [LoggerMessage(EventId = 4180, Level = LogLevel.Warning, Message = "Quarantine record of {QueueId} is unreadable; the message stays quarantined")]
    public static partial void RecordUnreadable(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 4181, Level = LogLevel.Information,
        Message = "Quarantine item {QueueId} released by {Actor} (learned as ham: {Learned}); it goes to its {Recipients} recipient(s) through the queue")]
    public static partial void Released(ILogger logger, string queueId, string actor, bool learned, int recipients);

    [LoggerMessage(EventId = 4182, Level = LogLevel.Information, Message = "Quarantine item {QueueId} deleted by {Actor}")]
    public static partial void Deleted(ILogger logger, string queueId, string actor);

    [LoggerMessage(EventId = 4183, Level = LogLevel.Information,
        Message = "Quarantine item {QueueId} from <{From}> to {Recipients} expired ({Source}, quarantined {QuarantinedAt:u}, retention {Retention}): deleted without a notice to the sender")]
    public static partial void Expired(ILogger logger, string queueId, string from, string recipients, string source, DateTimeOffset quarantinedAt, TimeSpan retention);

    [LoggerMessage(EventId = 4184, Level = LogLevel.Information, Message = "Quarantine item {QueueId} copied to {Path} for training as ham")]
    public static partial void CopiedForLearning(ILogger logger, string queueId, string path);
}
