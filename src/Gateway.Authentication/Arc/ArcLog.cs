using Microsoft.Extensions.Logging;

namespace Gateway.Authentication.Arc;

/// <summary>Log events of ARC verification and sealing (event ids 4200-4299). Never logs message content.</summary>
internal static partial class ArcLog
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Debug, Message = "ARC chain of {Instances} set(s): {Result} ({Reason})")]
    public static partial void ChainResult(ILogger logger, int instances, ArcResult result, string? reason);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "ARC verification failed unexpectedly; reported as fail")]
    public static partial void VerifierFault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Debug, Message = "ARC sealed as i={Instance} cv={ChainValidation} by d={Domain} s={Selector}")]
    public static partial void Sealed(ILogger logger, int instance, string chainValidation, string domain, string selector);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Debug, Message = "ARC seal not added: {Reason}")]
    public static partial void NotSealed(ILogger logger, string reason);
}
