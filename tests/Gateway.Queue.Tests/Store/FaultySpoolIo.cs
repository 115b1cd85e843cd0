using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Queue.Tests.Store;

/// <summary>The real spool I/O with counters and switchable faults, to prove what the store does when the disk fails.</summary>
internal sealed class FaultySpoolIo : ISpoolIo
{
    private readonly DefaultSpoolIo _inner = DefaultSpoolIo.Instance;
    private int _fileFlushes;
    private int _asyncWrites;
    private int _moves;

    /// <summary>Skips the real fsyncs (still counted): for tests about the file format, not durability, that sync thousands of times.</summary>
    public bool SkipSync { get; set; }

    public Exception? CreateFailure { get; set; }

    public Exception? WriteFailure { get; set; }

    public Exception? FileFlushFailure { get; set; }

    public Exception? MoveFailure { get; set; }

    public Exception? DirectoryFlushFailure { get; set; }

    /// <summary>Runs inside FlushDirectory before the real fsync (e.g. to block it, or to look at the disk).</summary>
    public Func<string, Task>? BeforeDirectoryFlush { get; set; }

    public ConcurrentDictionary<string, int> DirectoryFlushes { get; } = new(StringComparer.Ordinal);

    public int FileFlushes => Volatile.Read(ref _fileFlushes);

    public int Moves => Volatile.Read(ref _moves);

    /// <summary>Calls of <see cref="WriteAsync"/> (the thread-pool write), as opposed to the synchronous <see cref="Write"/>.</summary>
    public int AsyncWrites => Volatile.Read(ref _asyncWrites);

    public static IOException DiskFull() => new("No space left on device", 28);

    public static IOException IoError() => new("Input/output error", 5);

    public SafeFileHandle CreateNew(string path) => CreateFailure is { } failure ? throw failure : _inner.CreateNew(path);

    /// <summary>A failure for reading one file (by path), or null to read it.</summary>
    public Func<string, Exception?>? OpenReadFailure { get; set; }

    public SafeFileHandle OpenRead(string path) => OpenReadFailure?.Invoke(path) is { } failure ? throw failure : _inner.OpenRead(path);

    public ValueTask WriteAsync(SafeFileHandle file, ReadOnlyMemory<byte> data, long fileOffset, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _asyncWrites);
        return WriteFailure is { } failure ? ValueTask.FromException(failure) : _inner.WriteAsync(file, data, fileOffset, cancellationToken);
    }

    public void Write(SafeFileHandle file, ReadOnlySpan<byte> data, long fileOffset)
    {
        if (WriteFailure is { } failure)
        {
            throw failure;
        }

        _inner.Write(file, data, fileOffset);
    }

    public void FlushFile(SafeFileHandle file)
    {
        if (FileFlushFailure is { } failure)
        {
            throw failure;
        }

        Interlocked.Increment(ref _fileFlushes);
        if (!SkipSync)
        {
            _inner.FlushFile(file);
        }
    }

    public void Move(string sourcePath, string destinationPath, bool overwrite)
    {
        if (MoveFailure is { } failure)
        {
            throw failure;
        }

        Interlocked.Increment(ref _moves);
        _inner.Move(sourcePath, destinationPath, overwrite);
    }

    public void FlushDirectory(string path)
    {
        BeforeDirectoryFlush?.Invoke(path).GetAwaiter().GetResult();
        if (DirectoryFlushFailure is { } failure)
        {
            throw failure;
        }

        DirectoryFlushes.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (!SkipSync)
        {
            _inner.FlushDirectory(path);
        }
    }

    public void Delete(string path) => _inner.Delete(path);
}
