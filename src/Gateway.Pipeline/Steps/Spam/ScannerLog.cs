using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>Log lines of the attachment policy and the external scanners (events 3160-3179).</summary>
internal static partial class ScannerLog
{
    [LoggerMessage(EventId = 3160, Level = LogLevel.Information,
        Message = "Attachment {Finding}: session {SessionId} queue id {QueueId}: {Path} {Why}; action {Action}")]
    public static partial void AttachmentFinding(ILogger logger, string sessionId, string queueId, string finding, string path, string why, string action);

    [LoggerMessage(EventId = 3161, Level = LogLevel.Debug,
        Message = "Attachments scanned: session {SessionId} queue id {QueueId}: {Parts} part(s), {Files} file(s), {Entries} archive member(s), {Inflated} octet(s) inflated")]
    public static partial void AttachmentsScanned(ILogger logger, string sessionId, string queueId, int parts, int files, int entries, long inflated);

    [LoggerMessage(EventId = 3162, Level = LogLevel.Warning,
        Message = "Virus found by clamd: session {SessionId} queue id {QueueId} client {Client}: {Signature}; refused")]
    public static partial void VirusFound(ILogger logger, string sessionId, string queueId, string client, string signature);

    [LoggerMessage(EventId = 3163, Level = LogLevel.Debug,
        Message = "clamd: session {SessionId} queue id {QueueId}: clean")]
    public static partial void VirusScanClean(ILogger logger, string sessionId, string queueId);

    [LoggerMessage(EventId = 3164, Level = LogLevel.Warning,
        Message = "Scanner {Scanner} at {Address} failed: session {SessionId} queue id {QueueId}: {Reason}; policy on_failure {Action}")]
    public static partial void ScannerFailed(ILogger logger, string scanner, string address, string sessionId, string queueId, string reason, string action);

    [LoggerMessage(EventId = 3165, Level = LogLevel.Warning,
        Message = "Scanner {Scanner} skipped: session {SessionId} queue id {QueueId}: message of {Length} octets is larger than max_size {MaxSize}")]
    public static partial void ScannerSkipped(ILogger logger, string scanner, string sessionId, string queueId, long length, long maxSize);

    [LoggerMessage(EventId = 3166, Level = LogLevel.Information,
        Message = "rspamd: session {SessionId} queue id {QueueId}: score {Score} required {Required} action {Action}, {Points} point(s) to our score; symbols {Symbols}")]
    public static partial void RspamdVerdict(ILogger logger, string sessionId, string queueId, double score, double required, string action, double points, string symbols);
}
