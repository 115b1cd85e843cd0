using Microsoft.Win32.SafeHandles;

namespace Gateway.Queue;

/// <summary>The real file system: RandomAccess writes, fsync through RandomAccess.FlushToDisk, directory fsync via libc.</summary>
public sealed class DefaultSpoolIo : ISpoolIo
{
    public static DefaultSpoolIo Instance { get; } = new();

    public SafeFileHandle CreateNew(string path) =>
        File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);

    public SafeFileHandle OpenRead(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

    public ValueTask WriteAsync(SafeFileHandle file, ReadOnlyMemory<byte> data, long fileOffset, CancellationToken cancellationToken) =>
        RandomAccess.WriteAsync(file, data, fileOffset, cancellationToken);

    public void Write(SafeFileHandle file, ReadOnlySpan<byte> data, long fileOffset) => RandomAccess.Write(file, data, fileOffset);

    public void FlushFile(SafeFileHandle file) => RandomAccess.FlushToDisk(file);

    public void Move(string sourcePath, string destinationPath, bool overwrite) => File.Move(sourcePath, destinationPath, overwrite);

    public void FlushDirectory(string path)
    {
        // NTFS journals directory changes with the file; POSIX needs an explicit fsync of the directory
        // (fsync(2): "an explicit fsync() on a file descriptor for the directory is also needed").
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        NativeMethods.FlushDirectory(path);
    }

    public void Delete(string path) => File.Delete(path);
}
