using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Queue;

/// <summary>
/// Group commit in two stages. Writers whose file is complete queue here; a few flusher threads fsync those
/// files concurrently and rename each into messages/; one committer thread then fsyncs that directory once
/// for every rename that has happened since its last fsync, and releases those writers. Concurrent fsyncs let
/// the file system fold them into one journal commit instead of paying one disk flush per message in turn,
/// and the directory fsync is shared by the whole batch. All of this runs on dedicated threads: fsync blocks,
/// and it must never block the thread pool that serves the SMTP sessions.
/// </summary>
internal sealed class GroupCommitter : IAsyncDisposable
{
    // Enough to keep a disk queue busy with concurrent sessions; more only adds threads that wait.
    private const int Flushers = 4;

    // Bounds one batch so a flood cannot make the first waiters wait for an unbounded rename loop.
    private const int MaxBatch = 1024;

    private readonly ISpoolIo _io;
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly Channel<CommitRequest> _requests =
        Channel.CreateUnbounded<CommitRequest>(new UnboundedChannelOptions { SingleReader = false });

    // Read by the committer thread alone, but not declared so: only the multi-reader channel can count what
    // waits in it (WaitingForDirectoryFsync), and its lock costs nothing next to a directory fsync.
    private readonly Channel<CommitRequest> _renamed =
        Channel.CreateUnbounded<CommitRequest>(new UnboundedChannelOptions { SingleReader = false });

    private readonly Task[] _flushers;
    private readonly Task _committer;

    public GroupCommitter(ISpoolIo io, string directory, ILogger logger)
    {
        _io = io;
        _directory = directory;
        _logger = logger;
        _flushers = new Task[Flushers];
        for (var i = 0; i < _flushers.Length; i++)
        {
            _flushers[i] = Task.Factory.StartNew(Flush, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        _committer = Task.Factory.StartNew(Commit, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Takes ownership of <paramref name="file"/> (written, not yet synced). Completes once it is durably at
    /// <paramref name="destinationPath"/>; throws otherwise, and then nothing is left at the destination.
    /// With <paramref name="holdMarkerPath"/>, that marker (holding <paramref name="holdMarkerContent"/>, the
    /// quarantine record) is made durable first, so a held message is never visible without its marker, not even
    /// after a crash; a commit that fails takes the marker back.
    /// </summary>
    public Task CommitAsync(SafeFileHandle file, string sourcePath, string destinationPath, string? holdMarkerPath = null, byte[]? holdMarkerContent = null)
    {
        var request = new CommitRequest(file, sourcePath, destinationPath, holdMarkerPath, holdMarkerContent);
        ObjectDisposedException.ThrowIf(!_requests.Writer.TryWrite(request), this);

        return request.Completion.Task;
    }

    /// <summary>
    /// Files renamed into the directory whose writers wait for its next fsync. For tests, which cannot see the
    /// hand-over between the flusher and committer threads otherwise and need it to know which batch a writer is in.
    /// </summary>
    internal int WaitingForDirectoryFsync => _renamed.Reader.Count;

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await Task.WhenAll(_flushers).ConfigureAwait(false);
        _renamed.Writer.TryComplete();
        await _committer.ConfigureAwait(false);
    }

    private void Flush()
    {
        while (_requests.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (_requests.Reader.TryRead(out var request))
            {
                try
                {
                    if (request.HoldMarkerPath is { } marker)
                    {
                        // Here rather than on the session's thread: creating and syncing the marker blocks.
                        if (!System.IO.File.Exists(marker))
                        {
                            using var created = _io.CreateNew(marker);
                            if (request.HoldMarkerContent is { Length: > 0 } content)
                            {
                                // This is a dedicated flusher thread (see the class remarks): blocking here is its job.
                                _io.Write(created, content, 0);
                                _io.FlushFile(created);
                            }
                        }

                        _io.FlushDirectory(Path.GetDirectoryName(marker)!);
                    }

                    using (request.File)
                    {
                        _io.FlushFile(request.File);
                    }

                    // The rename is durable only after the directory fsync of the committer thread.
                    _io.Move(request.SourcePath, request.DestinationPath, overwrite: false);
                }
                catch (Exception ex)
                {
                    request.File.Dispose();
                    RemoveMarker(request);
                    request.Completion.TrySetException(ex);
                    continue;
                }

                _renamed.Writer.TryWrite(request);
            }
        }
    }

    private void Commit()
    {
        var batch = new List<CommitRequest>();
        while (_renamed.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _renamed.Reader.TryRead(out var request))
            {
                batch.Add(request);
            }

            try
            {
                _io.FlushDirectory(_directory);
            }
            catch (Exception ex)
            {
                // The renames may or may not survive a crash: take them back so no client that is told
                // 4xx finds its message delivered as well (and if the delete fails, a duplicate is the
                // worst outcome, never a loss).
                foreach (var request in batch)
                {
                    try
                    {
                        _io.Delete(request.DestinationPath);
                    }
                    catch (Exception deleteError)
                    {
                        QueueStoreLog.CleanupFailed(_logger, request.DestinationPath, deleteError);
                    }

                    RemoveMarker(request);
                    request.Completion.TrySetException(ex);
                }

                continue;
            }

            foreach (var request in batch)
            {
                request.Completion.TrySetResult();
            }
        }
    }

    /// <summary>A marker left without its message would hold a later message of the same id: take it back.</summary>
    private void RemoveMarker(CommitRequest request)
    {
        if (request.HoldMarkerPath is not { } marker)
        {
            return;
        }

        try
        {
            _io.Delete(marker);
        }
        catch (Exception ex)
        {
            QueueStoreLog.CleanupFailed(_logger, marker, ex);
        }
    }

    private sealed class CommitRequest(SafeFileHandle file, string sourcePath, string destinationPath, string? holdMarkerPath, byte[]? holdMarkerContent)
    {
        public string? HoldMarkerPath { get; } = holdMarkerPath;

        public byte[]? HoldMarkerContent { get; } = holdMarkerContent;

        public SafeFileHandle File { get; } = file;

        public string SourcePath { get; } = sourcePath;

        public string DestinationPath { get; } = destinationPath;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
