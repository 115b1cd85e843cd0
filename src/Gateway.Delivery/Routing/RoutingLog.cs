using Gateway.Abstractions;
using Microsoft.Extensions.Logging;

namespace Gateway.Delivery.Routing;

/// <summary>Source-generated log messages of the router.</summary>
internal static partial class RoutingLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "No delivery route for our domain {Domain}: mail stays queued until delivery.routes has an entry for it or \"*\"")]
    public static partial void NoRoute(ILogger logger, string domain);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Mail server {Host} of {Domain} has no usable address ({Status})")]
    public static partial void HostLookupFailed(ILogger logger, string host, string domain, DnsStatus status);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Delivery to {Domain} deferred by its TLS policy: {Reason}")]
    public static partial void TlsPolicyDefers(ILogger logger, string domain, string reason);
}
