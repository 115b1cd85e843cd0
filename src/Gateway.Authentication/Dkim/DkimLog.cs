using Microsoft.Extensions.Logging;

namespace Gateway.Authentication.Dkim;

/// <summary>Log events of DKIM verification and signing (event ids 4100-4199). Never logs message content.</summary>
internal static partial class DkimLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Debug, Message = "DKIM signature d={Domain} s={Selector}: {Result} ({Reason})")]
    public static partial void SignatureResult(ILogger logger, string domain, string selector, DkimResult result, string? reason);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "DKIM verification of d={Domain} s={Selector} failed unexpectedly; reported as permerror")]
    public static partial void VerifierFault(ILogger logger, string domain, string selector, Exception exception);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "DKIM signed for d={Domain} s={Selector} a={Algorithm}")]
    public static partial void Signed(ILogger logger, string domain, string selector, string algorithm);
}
