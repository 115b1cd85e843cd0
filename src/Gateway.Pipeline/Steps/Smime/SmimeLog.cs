using Gateway.Smime.Cms;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Steps.Smime;

/// <summary>What the S/MIME steps did, for "who sent what to whom": key names and results, never key material.</summary>
internal static partial class SmimeLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information,
        Message = "S/MIME signed: session {SessionId} queue id {QueueId} author {Author} key {Key} ({Form})")]
    public static partial void Signed(ILogger logger, string sessionId, string queueId, string author, string key, SmimeSignatureForm form);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information,
        Message = "S/MIME encrypted: session {SessionId} queue id {QueueId} for {Recipients} with {Encryption}")]
    public static partial void Encrypted(ILogger logger, string sessionId, string queueId, string recipients, SmimeContentEncryption encryption);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information,
        Message = "S/MIME decryption: session {SessionId} queue id {QueueId}: {Outcome}")]
    public static partial void Decryption(ILogger logger, string sessionId, string queueId, string outcome);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information,
        Message = "S/MIME signature: session {SessionId} queue id {QueueId}: {Outcome}")]
    public static partial void Verified(ILogger logger, string sessionId, string queueId, string outcome);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning,
        Message = "S/MIME certificate harvest failed: session {SessionId} queue id {QueueId}")]
    public static partial void HarvestFailed(ILogger logger, string sessionId, string queueId, Exception exception);
}
