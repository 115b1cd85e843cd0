using Microsoft.Extensions.Logging;

namespace Gateway.Transport.MtaSts;

/// <summary>Source-generated log messages of MTA-STS discovery and its cache.</summary>
internal static partial class MtaStsLog
{
    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "MTA-STS cache file {Path} ignored: {Reason}")]
    public static partial void CorruptCacheFile(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Information, Message = "MTA-STS policy of {Domain} fetched: id {PolicyId}, mode {Mode}, max_age {MaxAge}")]
    public static partial void PolicyFetched(ILogger logger, string domain, string policyId, MtaStsMode mode, TimeSpan maxAge);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "MTA-STS policy of {Domain} not fetched ({ResultType}): {Detail}")]
    public static partial void FetchFailed(ILogger logger, string domain, string resultType, string detail);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Debug, Message = "MTA-STS record of {Domain} unusable: {Reason}")]
    public static partial void NoRecord(ILogger logger, string domain, string reason);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Warning, Message = "MTA-STS policy of {Domain} could not be cached")]
    public static partial void CacheWriteFailed(ILogger logger, string domain, Exception exception);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Information, Message = "MTA-STS cached policy of {Domain} expired and removed")]
    public static partial void Expired(ILogger logger, string domain);
}
