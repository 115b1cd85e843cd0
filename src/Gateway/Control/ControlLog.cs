using Microsoft.Extensions.Logging;

namespace Gateway.Host.Control;

/// <summary>The key vault in the running gateway: unseals, seals and refusals (never a share, key or PIN).</summary>
internal static partial class ControlLog
{
    [LoggerMessage(EventId = 170, Level = LogLevel.Information, Message = "Key vault unsealed by {Actor} ({Sealer})")]
    public static partial void Unsealed(ILogger logger, string actor, string sealer);

    [LoggerMessage(EventId = 171, Level = LogLevel.Warning, Message = "Key vault unseal by {Actor} refused: {Reason}")]
    public static partial void UnsealRefused(ILogger logger, string actor, string reason);

    [LoggerMessage(EventId = 172, Level = LogLevel.Information, Message = "Key vault sealed by {Actor}")]
    public static partial void Sealed(ILogger logger, string actor);

    [LoggerMessage(EventId = 173, Level = LogLevel.Error, Message = "Key vault auto-unseal failed, the vault stays sealed and S/MIME keys are unavailable until `gateway keys unseal`: {Reason}")]
    public static partial void AutoUnsealFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 174, Level = LogLevel.Information, Message = "No key vault in {Directory}: S/MIME keys are unavailable until `gateway keys init`")]
    public static partial void NoVault(ILogger logger, string directory);

    [LoggerMessage(EventId = 175, Level = LogLevel.Information, Message = "Control channel on {Path} (owner only)")]
    public static partial void ControlSocketReady(ILogger logger, string path);

    [LoggerMessage(EventId = 176, Level = LogLevel.Warning, Message = "No control channel: {Path} is too long for a Unix socket (107 bytes); `gateway keys unseal|seal|status` cannot reach this gateway")]
    public static partial void ControlSocketPathTooLong(ILogger logger, string path);

    [LoggerMessage(EventId = 177, Level = LogLevel.Warning, Message = "Policy not recorded in the key vault audit log ({Action}): {Reason}")]
    public static partial void PolicyAuditFailed(ILogger logger, string action, string reason);
}
