using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Queue;

/// <summary>
/// Group commit: writers whose file is complete queue here; one loop fsyncs every file of the batch,
/// renames each into messages/ and fsyncs that directory once for the whole batch, then releases all of
/// them. While a batch is being synced the next one gathers, so concurrent sessions share the directory
/// fsync and the journal commits behind the file fsyncs. The loop runs on its own thread: fsync blocks,
/// and it must never block the thread pool that serves the SMTP sessions.
/// </summary>
internal sealed class GroupCommitter : IAsyncDisposable
{
    // Bounds one batch so a flood cannot make the first waiters wait for an unbounded rename loop.
    private const int MaxBatch = 1024;

    private readonly ISpoolIo _io;
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly Channel<CommitRequest> _requests =
        Channel.CreateUnbounded<CommitRequest>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Task _loop;

    public GroupCommitter(ISpoolIo io, string directory, ILogger logger)
    {
        _io = io;
        _directory = directory;
        _logger = logger;
        _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Takes ownership of <paramref name="file"/> (written, not yet synced). Completes once it is durably at
    /// <paramref name="destinationPath"/>; throws otherwise, and then nothing is left at the destination.
    /// </summary>
    public Task CommitAsync(SafeFileHandle file, string sourcePath, string destinationPath)
    {
        var request = new CommitRequest(file, sourcePath, destinationPath);
        ObjectDisposedException.ThrowIf(!_requests.Writer.TryWrite(request), this);

        return request.Completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private void Run()
    {
        var batch = new List<CommitRequest>();
        var renamed = new List<CommitRequest>();
        while (_requests.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            renamed.Clear();
            while (batch.Count < MaxBatch && _requests.Reader.TryRead(out var request))
            {
                batch.Add(request);
            }

            foreach (var request in batch)
            {
                try
                {
                    using (request.File)
                    {
                        _io.FlushFile(request.File);
                    }

                    _io.Move(request.SourcePath, request.DestinationPath, overwrite: false);
                    renamed.Add(request);
                }
                catch (Exception ex)
                {
                    request.File.Dispose();
                    request.Completion.TrySetException(ex);
                }
            }

            if (renamed.Count == 0)
            {
                continue;
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
                foreach (var request in renamed)
                {
                    try
                    {
                        _io.Delete(request.DestinationPath);
                    }
                    catch (Exception deleteError)
                    {
                        QueueStoreLog.CleanupFailed(_logger, request.DestinationPath, deleteError);
                    }

                    request.Completion.TrySetException(ex);
                }

                continue;
            }

            foreach (var request in renamed)
            {
                request.Completion.TrySetResult();
            }
        }
    }

    private sealed class CommitRequest(SafeFileHandle file, string sourcePath, string destinationPath)
    {
        public SafeFileHandle File { get; } = file;

        public string SourcePath { get; } = sourcePath;

        public string DestinationPath { get; } = destinationPath;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
