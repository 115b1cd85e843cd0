using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline;

internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Relay denied: session {SessionId} client {Client} recipient {Recipient}: {Reason}")]
    public static partial void RelayDenied(ILogger logger, string sessionId, System.Net.IPAddress client, Gateway.Abstractions.Mailbox recipient, string reason);
}
