using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline;

internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Relay denied: session {SessionId} client {Client} recipient {Recipient}: {Reason}")]
    public static partial void RelayDenied(ILogger logger, string sessionId, System.Net.IPAddress client, Gateway.Abstractions.Mailbox recipient, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information,
        Message = "Authentication-Results: session {SessionId}: {Results}")]
    public static partial void AuthenticationResults(ILogger logger, string sessionId, string results);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information,
        Message = "Message refused after its content: session {SessionId}: {Reply}")]
    public static partial void ContentRefused(ILogger logger, string sessionId, Gateway.Abstractions.SmtpReply reply);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information,
        Message = "DKIM-signed: session {SessionId} author domain {Domain} with {Signatures} signature(s)")]
    public static partial void Signed(ILogger logger, string sessionId, string domain, int signatures);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning,
        Message = "Message checks failed: session {SessionId}; answering 451")]
    public static partial void ChecksFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information,
        Message = "SPF fail refused at MAIL FROM: session {SessionId} client {Client} domain {Domain}")]
    public static partial void SpfRefused(ILogger logger, string sessionId, System.Net.IPAddress client, string domain);
}
