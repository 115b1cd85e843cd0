using System.Runtime.InteropServices;

namespace Gateway.Queue;

/// <summary>
/// The few POSIX calls .NET does not expose: fsync of a directory (a rename is durable only once its
/// directory is synced) and O_APPEND writes (atomic appends when several processes share a trace file).
/// </summary>
internal static partial class NativeMethods
{
    // Linux open(2) flag values (identical on x86-64 and arm64 for the ones used here).
    internal const int LinuxReadOnly = 0x0;
    internal const int LinuxWriteOnly = 0x1;
    internal const int LinuxCreate = 0x40;
    internal const int LinuxAppend = 0x400;
    internal const int LinuxCloseOnExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    internal static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint Write(int fd, byte* buffer, nint count);

    /// <summary>An IOException shaped like the runtime's own: HResult is the errno (so ENOSPC stays recognisable).</summary>
    internal static IOException LastError(string operation, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{operation} '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    /// <summary>fsync(2) of a directory, so the entries created or renamed in it survive a crash.</summary>
    internal static void FlushDirectory(string path)
    {
        var fd = Open(path, LinuxReadOnly | (OperatingSystem.IsLinux() ? LinuxCloseOnExec : 0), 0);
        if (fd < 0)
        {
            throw LastError("open", path);
        }

        try
        {
            if (FSync(fd) != 0)
            {
                throw LastError("fsync", path);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Appends all of <paramref name="data"/> with one O_APPEND descriptor (Linux only).</summary>
    internal static unsafe void AppendLinux(string path, ReadOnlySpan<byte> data)
    {
        var fd = OpenAppendLinux(path);
        try
        {
            WriteAllLinux(fd, path, data);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Opens (creating, mode 0640) a file for O_APPEND writes; the caller closes the descriptor.</summary>
    internal static int OpenAppendLinux(string path)
    {
        var fd = Open(path, LinuxWriteOnly | LinuxCreate | LinuxAppend | LinuxCloseOnExec, 0x1A0 /* 0640 */);
        if (fd < 0)
        {
            throw LastError("open", path);
        }

        return fd;
    }

    internal static unsafe void WriteAllLinux(int fd, string path, ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            var written = 0;
            while (written < data.Length)
            {
                var n = Write(fd, start + written, data.Length - written);
                if (n < 0)
                {
                    throw LastError("write", path);
                }

                written += (int)n;
            }
        }
    }
}
