using Microsoft.Extensions.Logging;

namespace Gateway.Host.Spool;

/// <summary>What happened to mail for encrypted lists: addresses and queue ids, never content or keys.</summary>
internal static partial class EncryptedListLog
{
    [LoggerMessage(EventId = 160, Level = LogLevel.Information,
        Message = "Encrypted list {List}: queue id {QueueId} expanded to {Members} members as queue id {NewQueueId}; {Refused} members without a certificate reported to the sender")]
    public static partial void Expanded(ILogger logger, string list, string queueId, int members, string newQueueId, int refused);

    [LoggerMessage(EventId = 161, Level = LogLevel.Warning, Message = "Encrypted list {List}: queue id {QueueId} not expanded: {Reason}")]
    public static partial void NotExpanded(ILogger logger, string list, string queueId, string reason);

    [LoggerMessage(EventId = 162, Level = LogLevel.Information, Message = "Encrypted list {List}: queue id {QueueId} member failure notice queued as {NoticeId}")]
    public static partial void NoticeQueued(ILogger logger, string list, string queueId, string noticeId);
}
