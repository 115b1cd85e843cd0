using Microsoft.Extensions.Logging;

namespace Gateway.Smime.CertificateDirectory;

internal static partial class DirectoryLog
{
    [LoggerMessage(EventId = 1210, Level = LogLevel.Warning,
        Message = "Certificate directory lookup for {Address} failed ({Problem}); treated as no certificate for a while")]
    public static partial void LdapUnavailable(ILogger logger, string address, string problem);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "Certificate store file {Path} is not a certificate ({Problem}); skipped")]
    public static partial void UnreadableCertificate(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Warning, Message = "Certificate store {Directory} holds its maximum of {Max} certificates; new ones are refused")]
    public static partial void StoreFull(ILogger logger, string directory, int max);

    [LoggerMessage(EventId = 1213, Level = LogLevel.Information,
        Message = "Certificate store {Directory} is followed by its modification time, not watched ({Reason}): each certificate the gateway stores makes the next lookup list the directory again")]
    public static partial void NotWatched(ILogger logger, string directory, string reason);
}
