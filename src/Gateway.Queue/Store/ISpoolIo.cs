using Microsoft.Win32.SafeHandles;

namespace Gateway.Queue;

/// <summary>
/// The file operations the spool uses, behind one narrow interface so tests can count fsyncs and make any
/// of them fail (disk full, I/O error). Errors are IOExceptions whose HResult is the errno, as the runtime's.
/// </summary>
public interface ISpoolIo
{
    /// <summary>Creates a new file for writing; fails if it exists.</summary>
    SafeFileHandle CreateNew(string path);

    SafeFileHandle OpenRead(string path);

    ValueTask WriteAsync(SafeFileHandle file, ReadOnlyMemory<byte> data, long fileOffset, CancellationToken cancellationToken);

    /// <summary>
    /// pwrite(2) on the calling thread. For the spool's own threads and for code under a lock: the asynchronous write of
    /// a file opened for synchronous I/O runs on the thread pool, and a thread that blocks waiting for it can wait
    /// as long as the pool is busy, or starve it.
    /// </summary>
    void Write(SafeFileHandle file, ReadOnlySpan<byte> data, long fileOffset);

    /// <summary>fsync(2): the file's data and metadata are on stable storage when this returns.</summary>
    void FlushFile(SafeFileHandle file);

    /// <summary>rename(2); atomic on one file system.</summary>
    void Move(string sourcePath, string destinationPath, bool overwrite);

    /// <summary>fsync(2) of a directory: makes creations, renames and deletions in it durable.</summary>
    void FlushDirectory(string path);

    /// <summary>Deletes a file; no error when it does not exist.</summary>
    void Delete(string path);
}
