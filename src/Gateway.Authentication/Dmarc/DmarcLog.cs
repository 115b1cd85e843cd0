using Microsoft.Extensions.Logging;

namespace Gateway.Authentication.Dmarc;

/// <summary>Source-generated log messages of DMARC evaluation.</summary>
internal static partial class DmarcLog
{
    [LoggerMessage(EventId = 4401, Level = LogLevel.Debug, Message = "DMARC: message has no usable RFC5322.From ({Problem})")]
    public static partial void AuthorProblem(ILogger logger, DmarcAuthorProblem problem);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Information, Message = "DMARC: temporary DNS error discovering the policy of {Domain}")]
    public static partial void DiscoveryTempError(ILogger logger, string domain);

    [LoggerMessage(EventId = 4403, Level = LogLevel.Debug, Message = "DMARC: invalid record at _dmarc.{Domain}: {Error}")]
    public static partial void InvalidRecord(ILogger logger, string domain, string error);
}
