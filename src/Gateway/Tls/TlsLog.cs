using Microsoft.Extensions.Logging;

namespace Gateway.Host.Tls;

internal static partial class TlsLog
{
    [LoggerMessage(EventId = 130, Level = LogLevel.Information, Message = "Certificate files changed: loading them for new connections")]
    public static partial void CertificateFilesChanged(ILogger logger);
}
