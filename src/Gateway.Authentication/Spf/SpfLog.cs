using System.Net;
using Microsoft.Extensions.Logging;

namespace Gateway.Authentication.Spf;

/// <summary>Source-generated log messages of the SPF verifier.</summary>
internal static partial class SpfLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "SPF {Identity} {Domain} for {Client}: {Result} by {Mechanism} after {Lookups} lookups")]
    public static partial void Checked(ILogger logger, string identity, string domain, IPAddress client, SpfResult result, string? mechanism, int lookups);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "SPF {Identity} {Domain} for {Client}: {Result}: {Problem}")]
    public static partial void Problem(ILogger logger, string identity, string domain, IPAddress client, SpfResult result, string? problem);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "SPF check of {Domain} failed unexpectedly")]
    public static partial void Defect(ILogger logger, string domain, Exception exception);
}
