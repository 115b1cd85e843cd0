using System.Buffers;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Queue;

/// <summary>
/// The fast path of the spool: complete message images (the bytes a messages/&lt;id&gt;.msg file would hold) appended
/// to shared segment files, one write and one fsync per batch of concurrent writers, instead of a file create,
/// fsync, rename and directory fsync per message and an unlink after delivery. A message lives here only until its
/// first delivery attempt ends: delivered, it gets a done mark; anything else (a deferral, a hold) first moves it into
/// messages/ as a file of its own. A segment is deleted once it is full and every message in it is done, and at
/// start-up recovery moves whatever is not done into messages/, so a segment never outlives the process that wrote it.
/// </summary>
/// <remarks>
/// Record: <c>GWS1 &lt;queue id&gt; &lt;8 hex: image length&gt;\n</c>, then the image, whose own end record carries the
/// SHA-256 that recovery checks. Done marks are lines <c>&lt;queue id&gt;\n</c> in the segment's .done file, written
/// without fsync, as the file spool unlinks a delivered message without one: a crash can at worst bring a delivered
/// message back for one more delivery (at-least-once), never lose one. Only the process that owns the spool writes
/// segments; other processes (the queue CLI) only read them.
/// </remarks>
internal sealed class SegmentSpool : IAsyncDisposable
{
    public const string Extension = ".seg";
    public const string DoneExtension = ".done";

    /// <summary>"GWS1 " + 16 + " " + 8 + "\n".</summary>
    public const int HeaderLength = 5 + QueueId.Length + 1 + 8 + 1;

    /// <summary>
    /// Small enough that a segment held by one slow message wastes little disk, large enough that rotation (a file
    /// create and a directory fsync) is rare.
    /// </summary>
    public const long DefaultRotateAt = 16L * 1024 * 1024;

    // One write per batch: bounds the buffer a burst can make us allocate.
    private const int MaxBatchBytes = 4 * 1024 * 1024;

    private readonly ISpoolIo _io;
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly Channel<AppendRequest> _requests =
        Channel.CreateUnbounded<AppendRequest>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Lock _lock = new();
    private readonly long _rotateAt;
    private readonly Task _writer;
    private long _nextSequence;

    // Written by the writer thread only.
    private Segment? _active;
    private SafeFileHandle? _activeFile;

    public SegmentSpool(ISpoolIo io, string directory, long firstSequence, ILogger logger, long rotateAt = DefaultRotateAt)
    {
        _io = io;
        _rotateAt = rotateAt;
        _directory = directory;
        _nextSequence = firstSequence;
        _logger = logger;

        // A dedicated thread: the write and fsync block, and must never block the thread pool serving the sessions.
        _writer = Task.Factory.StartNew(Write, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Appends a complete spool image; completes once it is on stable storage, with where it lies. Throws otherwise,
    /// and then recovery will not bring the message back either.
    /// </summary>
    public Task<SegmentLocation> AppendAsync(string queueId, ReadOnlyMemory<byte> image)
    {
        var request = new AppendRequest(queueId, image);
        ObjectDisposedException.ThrowIf(!_requests.Writer.TryWrite(request), this);
        return request.Completion.Task;
    }

    /// <summary>The message's first attempt is over (delivered, or moved into messages/): it is not recovered again.</summary>
    public void MarkDone(SegmentLocation location)
    {
        var segment = location.Segment;
        var line = Encoding.ASCII.GetBytes(location.QueueId + "\n");
        lock (_lock)
        {
            try
            {
                segment.DoneFile ??= _io.CreateNew(segment.DonePath);
                _io.Write(segment.DoneFile, line, segment.DoneLength);
                segment.DoneLength += line.Length;
            }
            catch (Exception ex)
            {
                // The message may come back for one more delivery after a crash; it is not lost.
                QueueStoreLog.CleanupFailed(_logger, segment.DonePath, ex);
            }

            segment.Live--;
            DeleteIfFinished(segment);
        }
    }

    public SafeFileHandle OpenRead(SegmentLocation location) => _io.OpenRead(location.Segment.Path);

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        lock (_lock)
        {
            _activeFile?.Dispose();
            if (_active is { } active)
            {
                active.Sealed = true;
                active.DoneFile?.Dispose();
                active.DoneFile = null;
            }
        }
    }

    /// <summary>The segment files under <paramref name="directory"/>, oldest first.</summary>
    public static IReadOnlyList<string> List(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*" + Extension)
            .Where(path => SequenceOf(path) is not null)
            .OrderBy(path => SequenceOf(path))];

    /// <summary>The sequence number in a segment's file name; null for a name that is not one of ours.</summary>
    public static long? SequenceOf(string path)
    {
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        return name.Length == 16 && long.TryParse(name, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var sequence)
            ? sequence
            : null;
    }

    public static string DonePathOf(string segmentPath) => System.IO.Path.ChangeExtension(segmentPath, DoneExtension);

    public static byte[] BuildHeader(string queueId, int imageLength) =>
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"GWS1 {queueId} {imageLength:x8}\n"));

    /// <summary>Parses a record header; false if the bytes are not one.</summary>
    public static bool TryParseHeader(ReadOnlySpan<byte> header, out string queueId, out int imageLength)
    {
        queueId = string.Empty;
        imageLength = 0;
        if (header.Length < HeaderLength || !header.StartsWith("GWS1 "u8) || header[5 + QueueId.Length] != (byte)' '
            || header[HeaderLength - 1] != (byte)'\n')
        {
            return false;
        }

        var id = Encoding.ASCII.GetString(header.Slice(5, QueueId.Length));
        if (!QueueId.IsValid(id)
            || !int.TryParse(header.Slice(5 + QueueId.Length + 1, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var length)
            || length <= 0)
        {
            return false;
        }

        queueId = id;
        imageLength = length;
        return true;
    }

    private void Write()
    {
        var batch = new List<AppendRequest>();
        while (_requests.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            var bytes = 0;
            while (bytes < MaxBatchBytes && _requests.Reader.TryRead(out var request))
            {
                batch.Add(request);
                bytes += HeaderLength + request.Image.Length;
            }

            var buffer = ArrayPool<byte>.Shared.Rent(bytes);
            try
            {
                var (segment, file) = ActiveSegment();
                var starts = new long[batch.Count];
                var used = 0;
                for (var i = 0; i < batch.Count; i++)
                {
                    var header = BuildHeader(batch[i].QueueId, batch[i].Image.Length);
                    header.CopyTo(buffer, used);
                    used += header.Length;
                    starts[i] = segment.Length + used;
                    batch[i].Image.Span.CopyTo(buffer.AsSpan(used));
                    used += batch[i].Image.Length;
                }

                // Advanced before the write: should it fail, the next batch starts after whatever it left, and recovery
                // skips that as it skips a torn tail.
                var offset = segment.Length;
                segment.Length += used;
                _io.Write(file, buffer.AsSpan(0, used), offset);
                _io.FlushFile(file);
                lock (_lock)
                {
                    segment.Live += batch.Count;
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(new SegmentLocation(batch[i].QueueId, segment, starts[i], batch[i].Image.Length));
                }
            }
            catch (Exception ex)
            {
                // What reached the disk may survive a crash although the client is told 4xx: start a new segment, and
                // mark these done, so recovery does not deliver a message whose sender will send it again.
                SealAfterFailure(batch);
                foreach (var request in batch)
                {
                    request.Completion.TrySetException(ex);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private (Segment Segment, SafeFileHandle File) ActiveSegment()
    {
        if (_active is { } active && _activeFile is { } file && active.Length < _rotateAt)
        {
            return (active, file);
        }

        var path = System.IO.Path.Combine(_directory, _nextSequence.ToString("x16", CultureInfo.InvariantCulture) + Extension);
        var created = _io.CreateNew(path);
        try
        {
            // The new file's name must be durable before anything in it is acknowledged.
            _io.FlushDirectory(_directory);
        }
        catch
        {
            created.Dispose();
            _io.Delete(path);
            throw;
        }

        _nextSequence++;
        Seal();
        _active = new Segment(path);
        _activeFile = created;
        return (_active, created);
    }

    private void SealAfterFailure(List<AppendRequest> batch)
    {
        if (_active is not { } segment)
        {
            return;
        }

        lock (_lock)
        {
            segment.Live += batch.Count;
        }

        foreach (var request in batch)
        {
            MarkDone(new SegmentLocation(request.QueueId, segment, 0, 0));
        }

        Seal();
        _active = null;
    }

    private void Seal()
    {
        _activeFile?.Dispose();
        _activeFile = null;
        if (_active is { } previous)
        {
            lock (_lock)
            {
                previous.Sealed = true;
                DeleteIfFinished(previous);
            }
        }
    }

    /// <summary>Under the lock: a full segment whose messages are all done is deleted (no fsync: see the class remarks).</summary>
    private void DeleteIfFinished(Segment segment)
    {
        if (!segment.Sealed || segment.Live > 0 || segment.Deleted)
        {
            return;
        }

        segment.Deleted = true;
        segment.DoneFile?.Dispose();
        segment.DoneFile = null;
        try
        {
            // The segment first: a done file without its segment is ignored, a segment without its done file would
            // bring its messages back.
            _io.Delete(segment.Path);
            _io.Delete(segment.DonePath);
        }
        catch (Exception ex)
        {
            QueueStoreLog.CleanupFailed(_logger, segment.Path, ex);
        }
    }

    private sealed record AppendRequest(string QueueId, ReadOnlyMemory<byte> Image)
    {
        public TaskCompletionSource<SegmentLocation> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>One segment file; its counters are guarded by the <see cref="SegmentSpool"/> lock.</summary>
internal sealed class Segment(string path)
{
    public string Path { get; } = path;

    public string DonePath { get; } = SegmentSpool.DonePathOf(path);

    /// <summary>Bytes written (or attempted) so far; the writer thread's alone.</summary>
    public long Length { get; set; }

    /// <summary>Messages appended and not yet done.</summary>
    public int Live { get; set; }

    /// <summary>No more appends: it can go once <see cref="Live"/> is zero.</summary>
    public bool Sealed { get; set; }

    public bool Deleted { get; set; }

    public SafeFileHandle? DoneFile { get; set; }

    public long DoneLength { get; set; }
}

/// <summary>Where a message's image lies in a segment.</summary>
internal sealed record SegmentLocation(string QueueId, Segment Segment, long ImageOffset, int ImageLength);
