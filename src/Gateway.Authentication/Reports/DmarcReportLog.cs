using Microsoft.Extensions.Logging;

namespace Gateway.Authentication.Reports;

/// <summary>Source-generated log messages of DMARC report storage and generation.</summary>
internal static partial class DmarcReportLog
{
    [LoggerMessage(EventId = 4421, Level = LogLevel.Warning, Message = "DMARC report store: daily limit of {Limit} records reached for {Day}; further evaluations are not recorded")]
    public static partial void DailyLimitReached(ILogger logger, int limit, string day);

    [LoggerMessage(EventId = 4422, Level = LogLevel.Warning, Message = "DMARC report store: skipped a malformed line in {File}")]
    public static partial void MalformedLine(ILogger logger, string file);

    [LoggerMessage(EventId = 4423, Level = LogLevel.Information, Message = "DMARC report for {PolicyDomain}: destination {Uri} skipped ({Reason})")]
    public static partial void DestinationSkipped(ILogger logger, string policyDomain, string uri, string reason);
}
