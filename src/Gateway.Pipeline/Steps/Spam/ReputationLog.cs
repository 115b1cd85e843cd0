using System.Net;
using Gateway.Abstractions;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Steps.Spam;

/// <summary>Log lines of the DNS list lookups and client checks (events 3110-3116).</summary>
internal static partial class ReputationLog
{
    [LoggerMessage(EventId = 3110, Level = LogLevel.Information,
        Message = "DNS list hit: session {SessionId} {Subject} listed in {Zone} ({Codes}) as {Name}, {Weight} points")]
    public static partial void Listed(ILogger logger, string sessionId, string subject, string zone, string codes, string name, double weight);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning,
        Message = "DNS list {Zone} skipped: session {SessionId} {Subject} ({QueryName}): {Status}")]
    public static partial void ListFailed(ILogger logger, string zone, string sessionId, string subject, string queryName, DnsStatus status);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Warning,
        Message = "DNS list {Zone} answered {Codes} for {QueryName} (session {SessionId}): not a listing (RFC 5782 2.3: 127.0.0.0/8), not counted")]
    public static partial void InvalidAnswer(ILogger logger, string zone, string codes, string queryName, string sessionId);

    [LoggerMessage(EventId = 3113, Level = LogLevel.Information,
        Message = "Client check: session {SessionId} client {Client} HELO {Helo}: {Check}, {Score} points")]
    public static partial void ClientCheck(ILogger logger, string sessionId, IPAddress client, string helo, string check, double score);

    [LoggerMessage(EventId = 3114, Level = LogLevel.Information,
        Message = "Reverse DNS of {Client} not checked: session {SessionId}: {Status}")]
    public static partial void ReverseDnsFailed(ILogger logger, IPAddress client, string sessionId, DnsStatus status);

    [LoggerMessage(EventId = 3115, Level = LogLevel.Information,
        Message = "Client refused at RCPT: session {SessionId} client {Client} score {Score} reject_score {RejectScore}: {Reasons}")]
    public static partial void Refused(ILogger logger, string sessionId, IPAddress client, double score, double rejectScore, string reasons);
}
