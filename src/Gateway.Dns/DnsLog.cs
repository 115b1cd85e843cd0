using Microsoft.Extensions.Logging;

namespace Gateway.Dns;

/// <summary>Source-generated log messages of the DNS resolver.</summary>
internal static partial class DnsLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "DNS {QueryType} {Name}: {Status}")]
    public static partial void Answered(ILogger logger, string queryType, string name, Gateway.Abstractions.DnsStatus status);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "DNS {QueryType} {Name} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string queryType, string name, string reason);
}
