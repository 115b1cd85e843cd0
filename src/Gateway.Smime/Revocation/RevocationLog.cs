using Microsoft.Extensions.Logging;

namespace Gateway.Smime.Revocation;

internal static partial class RevocationLog
{
    [LoggerMessage(EventId = 1230, Level = LogLevel.Information, Message = "Signer certificate chain revoked: {Detail}")]
    public static partial void Revoked(ILogger logger, string detail);

    [LoggerMessage(EventId = 1231, Level = LogLevel.Warning, Message = "CRL fetch from {Uri} failed ({Problem}); not retried for a while")]
    public static partial void FetchFailed(ILogger logger, Uri uri, string problem);

    [LoggerMessage(EventId = 1232, Level = LogLevel.Warning, Message = "CRL file {Path} is unreadable ({Problem}); skipped")]
    public static partial void UnreadableCrl(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 1233, Level = LogLevel.Warning, Message = "CRL from {Uri} is not usable ({Problem}); not cached")]
    public static partial void CrlRejected(ILogger logger, Uri uri, string problem);

    [LoggerMessage(EventId = 1234, Level = LogLevel.Warning, Message = "CRL source {Source} failed; revocation status left unknown")]
    public static partial void SourceFailed(ILogger logger, string source, Exception exception);
}
