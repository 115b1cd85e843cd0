using System.Runtime.InteropServices;

namespace Gateway.Smime.Vault;

/// <summary>fsync(2) of a directory, which .NET does not expose: a rename is durable only once its directory is synced.</summary>
internal static partial class NativeMethods
{
    private const int OpenReadOnlyCloseOnExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    internal static void SyncDirectory(string path)
    {
        // NTFS journals the directory with the file; only POSIX needs the explicit directory fsync.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(path, OpenReadOnlyCloseOnExec, 0);
        if (fd < 0)
        {
            throw new IOException($"open '{path}' failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        try
        {
            if (FSync(fd) != 0)
            {
                throw new IOException($"fsync '{path}' failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }
}
