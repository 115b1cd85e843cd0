using System.Globalization;
using Gateway.Abstractions;

namespace Gateway.Queue;

/// <summary>The replies the spool gives at the end of DATA; texts are generic, details go to the log.</summary>
public static class SpoolReplies
{
    /// <summary>RFC 3463 4.3.0: other or undefined mail system status (an I/O error); the client retries.</summary>
    public static SmtpReply LocalError { get; } = new(451, "4.3.0", "Local error in processing");

    /// <summary>RFC 5321 4.2.2 452 and RFC 3463 4.3.1: mail system full.</summary>
    public static SmtpReply InsufficientStorage { get; } = new(452, "4.3.1", "Insufficient system storage");

    public static SmtpReply Queued(string queueId) =>
        new(250, "2.0.0", string.Create(CultureInfo.InvariantCulture, $"Ok: queued as {queueId}"));

    /// <summary>452 when the storage is full (ENOSPC, EDQUOT, Windows disk-full), otherwise 451.</summary>
    public static SmtpReply ForFailure(Exception exception) => IsDiskFull(exception) ? InsufficientStorage : LocalError;

    public static bool IsDiskFull(Exception exception)
    {
        if (exception is not IOException io)
        {
            return false;
        }

        // The runtime puts the errno in HResult on Unix and an HRESULT of the Win32 error on Windows.
        var code = io.HResult;
        if (OperatingSystem.IsWindows())
        {
            return (code & 0xFFFF) is 39 /* ERROR_HANDLE_DISK_FULL */ or 112 /* ERROR_DISK_FULL */;
        }

        if (OperatingSystem.IsLinux())
        {
            return code is 28 /* ENOSPC */ or 122 /* EDQUOT */;
        }

        return code is 28 /* ENOSPC */ or 69 /* EDQUOT on BSD and macOS */;
    }
}
