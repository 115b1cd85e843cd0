using Microsoft.Extensions.Logging;

namespace Gateway.Queue.Scheduling;

internal static partial class SchedulerLog
{
    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Listing the queue failed; rescanning later")]
    public static partial void ListFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Reading message {QueueId} failed; retrying later")]
    public static partial void ReadFailed(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Error, Message = "The delivery agent failed for message {QueueId}; every recipient is deferred")]
    public static partial void AgentFailed(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Warning, Message = "The delivery agent returned no outcome for {Recipient} of message {QueueId}; deferred")]
    public static partial void MissingOutcome(ILogger logger, string queueId, string recipient);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Error, Message = "Saving the delivery state of message {QueueId} failed; it stays queued and is retried")]
    public static partial void SaveFailed(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Error, Message = "Removing finished message {QueueId} failed; retrying later")]
    public static partial void RemoveFailed(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Error, Message = "Creating or queueing the {Kind} notice for message {QueueId} failed; retrying later")]
    public static partial void NoticeFailed(ILogger logger, string queueId, string kind, Exception exception);

    [LoggerMessage(EventId = 5208, Level = LogLevel.Warning, Message = "Writing trace event {Event} for message {QueueId} failed")]
    public static partial void TraceFailed(ILogger logger, string queueId, string @event, Exception exception);

    [LoggerMessage(EventId = 5209, Level = LogLevel.Error, Message = "Processing message {QueueId} failed unexpectedly; retrying later")]
    public static partial void ProcessFailed(ILogger logger, string queueId, Exception exception);

    [LoggerMessage(EventId = 5210, Level = LogLevel.Information, Message = "Message {QueueId} disappeared from the queue during delivery (deleted?)")]
    public static partial void Disappeared(ILogger logger, string queueId);

    [LoggerMessage(EventId = 5211, Level = LogLevel.Error, Message = "Building the {Kind} notice for message {QueueId} failed; the notice is not sent")]
    public static partial void NoticeBuildFailed(ILogger logger, string queueId, string kind, Exception exception);
}
