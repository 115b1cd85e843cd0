using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Gateway.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Queue;

/// <summary>
/// The on-disk spool under one root: incoming/ (temp files, never trusted), messages/&lt;id&gt;.msg (immutable,
/// complete with end record), state/&lt;id&gt;.json (replaced atomically), hold/&lt;id&gt; (markers), corrupt/
/// (files recovery set aside). A 250 is given only after the file is fsync'd, renamed into messages/ and
/// that directory fsync'd (DESIGN invariant 1); directory fsyncs are shared by concurrent writers.
/// With segments on, the process that owns the spool keeps a message that fits its write buffer in segments/ instead
/// until its first delivery attempt is over (see <see cref="SegmentSpool"/>): one fsync per batch of messages, no
/// file per message. Every other operation on such a message first moves it into messages/.
/// </summary>
/// <remarks>
/// Several processes may open the same spool (the gateway and the queue CLI); only the one that owns it
/// calls <see cref="RecoverAsync"/>, at start-up, before accepting mail.
/// </remarks>
public sealed class FileQueueStore : IQueueStore, IAsyncDisposable
{
    private const string MessageExtension = ".msg";
    private const string StateExtension = ".json";

    // A record names a few dozen tests at most; a larger marker is not one of ours.
    private const int MaxQuarantineRecordBytes = 64 * 1024;

    private readonly string _incoming;
    private readonly string _messages;
    private readonly string _state;
    private readonly string _hold;
    private readonly string _corrupt;
    private readonly string _segmentsDirectory;
    private readonly bool _segmentsWanted;
    private readonly TimeProvider _time;
    private readonly ITraceLog _trace;
    private readonly ILogger<FileQueueStore> _logger;
    private readonly ISpoolIo _io;
    private readonly GroupCommitter _committer;

    // Message files never change once renamed in, so their parsed header can be kept.
    private readonly ConcurrentDictionary<string, SpoolRecord> _records = new(StringComparer.Ordinal);

    // Nor do quarantine records: written once with the message, deleted on release. The scheduler lists the spool
    // every few seconds, and a month of quarantined spam must not cost a file read per item per scan.
    private readonly ConcurrentDictionary<string, QuarantineRecord> _quarantine = new(StringComparer.Ordinal);

    // The owner's messages that live in a segment; each is in messages/ or here, never both for long.
    private readonly ConcurrentDictionary<string, SegmentMessage> _inSegments = new(StringComparer.Ordinal);

    // Ids given to writers not yet done: ids are random, but a clash must not make two messages one.
    private readonly ConcurrentDictionary<string, byte> _idsInUse = new(StringComparer.Ordinal);

    // Serialise moving a message out of its segment with removing it, so a removal never leaves a moved copy behind.
    // Striped by id: a move waits for two fsyncs, and must not hold up the removal of every other message meanwhile.
    private readonly SemaphoreSlim[] _moving = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    // Set by RecoverAsync in the owning process, when segments are wanted.
    private SegmentSpool? _segments;

    public FileQueueStore(
        string queueRoot,
        TimeProvider time,
        ITraceLog trace,
        ILogger<FileQueueStore> logger,
        ISpoolIo? io = null,
        bool segments = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueRoot);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(logger);
        Root = Path.GetFullPath(queueRoot);
        _incoming = Path.Combine(Root, "incoming");
        _messages = Path.Combine(Root, "messages");
        _state = Path.Combine(Root, "state");
        _hold = Path.Combine(Root, "hold");
        _corrupt = Path.Combine(Root, "corrupt");
        _segmentsDirectory = Path.Combine(Root, "segments");
        _segmentsWanted = segments;
        _time = time;
        _trace = trace;
        _logger = logger;
        _io = io ?? DefaultSpoolIo.Instance;
        var created = !Directory.Exists(Root);
        foreach (var directory in new[] { _incoming, _messages, _state, _hold, _corrupt, _segmentsDirectory })
        {
            created |= !Directory.Exists(directory);
            OwnerOnlyDirectory.Create(directory);
        }

        // Messages are other people's mail: whatever the umask, nobody but the gateway's user looks into the queue.
        OwnerOnlyDirectory.Restrict(Root);

        if (created)
        {
            // A new messages/ directory must itself be durable before a rename into it can be.
            _io.FlushDirectory(Root);
            if (Path.GetDirectoryName(Root) is { } parent)
            {
                _io.FlushDirectory(parent);
            }
        }

        _committer = new GroupCommitter(_io, _messages, logger);
    }

    public event Action<string>? MessageQueued;

    public string Root { get; }

    /// <summary>This process owns the spool and keeps new messages in segments.</summary>
    internal bool HasSegments => _segments is not null;

    /// <summary>A segment's size at which the next one is started; smaller in tests, to see rotation and deletion.</summary>
    internal long SegmentSize { get; init; } = SegmentSpool.DefaultRotateAt;

    public async ValueTask<IMessageWriter> BeginAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var now = _time.GetUtcNow();
        var id = NewId();
        byte[] prefix;
        QueuedEnvelope queued;
        try
        {
            queued = QueuedEnvelope.FromEnvelope(envelope, id, now);
            prefix = SpoolFormat.BuildPrefix(queued);
        }
        catch (Exception ex)
        {
            ForgetId(id);
            QueueStoreLog.SpoolFailed(_logger, id, SpoolReplies.LocalError.ToString(), ex);
            return new RejectingWriter(SpoolReplies.LocalError);
        }

        // The spool only stores: the client's bytes as they arrive; trace fields and checks are the pipeline's.
        var writer = new SpoolWriter(this, _io, _logger, queued, TempPath(id));
        await writer.StartAsync(prefix, cancellationToken).ConfigureAwait(false);
        return writer;
    }

    public async ValueTask<string> EnqueueAsync(QueuedEnvelope envelopeWithoutId, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopeWithoutId);
        var id = NewId();
        var envelope = envelopeWithoutId with
        {
            QueueId = id,
            ReceivedAt = envelopeWithoutId.ReceivedAt == default ? _time.GetUtcNow() : envelopeWithoutId.ReceivedAt,
        };
        byte[] prefix;
        try
        {
            prefix = SpoolFormat.BuildPrefix(envelope);
        }
        catch
        {
            ForgetId(id);
            throw;
        }

        // A message we generated is stored exactly as given.
        var writer = new SpoolWriter(this, _io, _logger, envelope, TempPath(id));
        await using (writer.ConfigureAwait(false))
        {
            await writer.StartAsync(prefix, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            var reply = await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            if (!reply.IsPositive)
            {
                throw new IOException($"The message could not be spooled: {reply}");
            }
        }

        return id;
    }

    public async ValueTask<IReadOnlyList<string>> RecoverAsync(CancellationToken cancellationToken)
    {
        var temporary = 0;
        foreach (var path in Directory.EnumerateFiles(_incoming))
        {
            // Never got a 250: whatever is here is discarded.
            _io.Delete(path);
            temporary++;
        }

        var nextSegment = RecoverSegments();
        var ids = new List<string>();
        var unreadable = new List<string>();
        var corrupt = 0;
        foreach (var path in Directory.EnumerateFiles(_messages))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(path);
            var id = name.EndsWith(MessageExtension, StringComparison.Ordinal) ? name[..^MessageExtension.Length] : null;
            string? problem;
            var readFailed = false;
            if (!QueueId.IsValid(id))
            {
                problem = "unexpected file name";
            }
            else
            {
                problem = Verify(path, id!, out readFailed);
            }

            if (problem is null)
            {
                ids.Add(id!);
                continue;
            }

            if (readFailed)
            {
                // The file could not be read this time (an I/O error, permissions): it may be perfectly good, so it
                // stays where it is with its state and hold marker, for the next start, and the rest of the queue
                // is recovered without it.
                unreadable.Add(id!);
                QueueStoreLog.UnreadableFile(_logger, path, problem);
                continue;
            }

            corrupt++;
            SetAside(path, problem);
            await TraceAsync(new TraceEvent(_time.GetUtcNow(), "corrupt", QueueId.IsValid(id) ? id! : name, null, [], null, null, problem)).ConfigureAwait(false);
        }

        if (temporary > 0)
        {
            _io.FlushDirectory(_incoming);
        }

        if (corrupt > 0)
        {
            _io.FlushDirectory(_messages);
            _io.FlushDirectory(_corrupt);
        }

        var present = new HashSet<string>(ids.Concat(unreadable), StringComparer.Ordinal);
        RemoveOrphans(_state, name => name.EndsWith(StateExtension, StringComparison.Ordinal) ? name[..^StateExtension.Length] : null, present);
        RemoveOrphans(_hold, name => name, present);
        ids.Sort(StringComparer.Ordinal);
        QueueStoreLog.Recovered(_logger, ids.Count, temporary, corrupt);
        if (_segmentsWanted && _segments is null)
        {
            _segments = new SegmentSpool(_io, _segmentsDirectory, nextSegment, _logger, SegmentSize);
        }

        return ids;
    }

    public ValueTask<QueueEntry?> GetAsync(string queueId, CancellationToken cancellationToken)
    {
        if (!QueueId.IsValid(queueId))
        {
            return ValueTask.FromResult<QueueEntry?>(null);
        }

        if (_inSegments.TryGetValue(queueId, out var inSegment))
        {
            // In its first attempt: no state file and no hold marker can exist yet (both move it into messages/ first).
            return ValueTask.FromResult<QueueEntry?>(FirstAttemptEntry(inSegment.Record));
        }

        var record = TryGetRecord(queueId);
        if (record is null)
        {
            return ValueTask.FromResult<QueueEntry?>(_segments is null && SegmentView().FirstOrDefault(m => m.Record.Envelope.QueueId == queueId) is { } viewed
                ? FirstAttemptEntry(viewed.Record)
                : null);
        }

        var state = ReadState(record.Envelope);
        // One stat, as File.Exists was: an empty marker is an operator's hold, a non-empty one a quarantine record.
        var marker = new FileInfo(HoldPath(queueId));
        var held = marker.Exists;
        var quarantine = held && marker.Length > 0 ? QuarantineOf(queueId) : null;
        if (quarantine is null)
        {
            _quarantine.TryRemove(queueId, out _);
        }

        return ValueTask.FromResult<QueueEntry?>(new QueueEntry(record.Envelope, state, held, record.DeliveredLength) { Quarantine = quarantine });
    }

    public async IAsyncEnumerable<QueueEntry> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        foreach (var path in Directory.EnumerateFiles(_messages, "*" + MessageExtension))
        {
            var id = Path.GetFileName(path)[..^MessageExtension.Length];
            if (QueueId.IsValid(id))
            {
                ids.Add(id);
            }
        }

        var files = new HashSet<string>(ids, StringComparer.Ordinal);
        ids.AddRange(_inSegments.Keys.Where(id => !files.Contains(id)));
        ids.Sort(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entry = await GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (entry is not null)
            {
                yield return entry;
            }
        }

        if (_segments is null)
        {
            // Another process (the queue CLI) sees the owner's messages in their first attempt too, read-only.
            foreach (var viewed in SegmentView().Where(m => !files.Contains(m.Record.Envelope.QueueId)))
            {
                yield return FirstAttemptEntry(viewed.Record);
            }
        }
    }

    public ValueTask<Stream> OpenMessageAsync(string queueId, CancellationToken cancellationToken)
    {
        RequireValid(queueId);
        if (_inSegments.TryGetValue(queueId, out var inSegment))
        {
            return ValueTask.FromResult<Stream>(inSegment.Record.OpenStream(_io.OpenRead(inSegment.SegmentPath), inSegment.ImageOffset));
        }

        SafeFileHandle file;
        try
        {
            file = _io.OpenRead(MessagePath(queueId));
        }
        catch (FileNotFoundException ex)
        {
            if (_segments is null && SegmentView().FirstOrDefault(m => m.Record.Envelope.QueueId == queueId) is { } viewed)
            {
                return ValueTask.FromResult<Stream>(viewed.Record.OpenStream(_io.OpenRead(viewed.SegmentPath), viewed.ImageOffset));
            }

            throw new KeyNotFoundException($"Message {queueId} is not queued.", ex);
        }

        try
        {
            var record = _records.GetOrAdd(queueId, static (_, handle) => SpoolFormat.ReadRecord(handle), file);
            return ValueTask.FromResult<Stream>(record.OpenStream(file));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public async ValueTask SaveStateAsync(MessageState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        RequireValid(state.Id);
        await MoveOutOfSegmentAsync(state.Id).ConfigureAwait(false);
        if (!File.Exists(MessagePath(state.Id)))
        {
            // Removed meanwhile (e.g. by the CLI): a state file would only be an orphan.
            QueueStoreLog.StateForMissingMessage(_logger, state.Id);
            return;
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(state, QueueJsonContext.Default.MessageState);
        var temp = Path.Combine(_state, $"{state.Id}{StateExtension}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = _io.CreateNew(temp))
            {
                await _io.WriteAsync(file, json, 0, cancellationToken).ConfigureAwait(false);
                _io.FlushFile(file);
            }

            _io.Move(temp, StatePath(state.Id), overwrite: true);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }

        _io.FlushDirectory(_state);
    }

    public async ValueTask RemoveAsync(string queueId, string reason, CancellationToken cancellationToken)
    {
        RequireValid(queueId);
        if (await RemoveFromSegmentAsync(queueId, cancellationToken).ConfigureAwait(false) is { } removed)
        {
            QueueStoreLog.Removed(_logger, queueId, reason);
            await TraceAsync(Event("deleted", removed.Envelope, null, reason)).ConfigureAwait(false);
            return;
        }

        var record = TryGetRecord(queueId);
        if (record is null)
        {
            // Another process (the command line) cannot mark a done in the running gateway's segment: saying nothing
            // would let "delete" look done while the message is delivered after all.
            ThrowIfInRunningSegment(queueId);
        }
        else
        {
            // The message file first: should we crash after this, the state left over is an orphan that
            // recovery removes, never a message without its state (which would be delivered again).
            // No directory fsync here (Postfix does none on removal either): it would cost a synchronous disk
            // write per delivered message, and the only thing a crash can undo is the unlink, which brings
            // the message back for one more delivery: a duplicate, which at-least-once allows, never a loss.
            _io.Delete(MessagePath(queueId));
        }

        _io.Delete(StatePath(queueId));
        _io.Delete(HoldPath(queueId));
        _records.TryRemove(queueId, out _);
        _quarantine.TryRemove(queueId, out _);
        if (record is not null)
        {
            QueueStoreLog.Removed(_logger, queueId, reason);
            await TraceAsync(Event("deleted", record.Envelope, null, reason)).ConfigureAwait(false);
        }
    }

    public ValueTask HoldAsync(string queueId, CancellationToken cancellationToken) => HoldAsync(queueId, null, cancellationToken);

    public async ValueTask HoldAsync(string queueId, string? detail, CancellationToken cancellationToken)
    {
        var record = await RequireQueuedAsync(queueId).ConfigureAwait(false);
        var marker = HoldPath(queueId);
        if (!File.Exists(marker))
        {
            try
            {
                _io.CreateNew(marker).Dispose();
            }
            catch (IOException) when (File.Exists(marker))
            {
                // Held concurrently: same outcome.
            }

            _io.FlushDirectory(_hold);
        }

        await TraceAsync(Event("held", record.Envelope, null, detail)).ConfigureAwait(false);
    }

    public ValueTask ReleaseAsync(string queueId, CancellationToken cancellationToken) => ReleaseAsync(queueId, null, cancellationToken);

    public async ValueTask ReleaseAsync(string queueId, string? detail, CancellationToken cancellationToken)
    {
        var record = await RequireQueuedAsync(queueId).ConfigureAwait(false);
        var marker = HoldPath(queueId);
        if (File.Exists(marker))
        {
            _io.Delete(marker);
            _io.FlushDirectory(_hold);
        }

        _quarantine.TryRemove(queueId, out _);
        await TraceAsync(Event("released", record.Envelope, null, detail)).ConfigureAwait(false);
    }

    public async ValueTask RetryNowAsync(string queueId, CancellationToken cancellationToken)
    {
        var record = await RequireQueuedAsync(queueId).ConfigureAwait(false);
        var state = ReadState(record.Envelope);
        await SaveStateAsync(state with { NextAttemptAt = _time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        await TraceAsync(Event("retry", record.Envelope, null, null)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_segments is not null)
        {
            await _segments.DisposeAsync().ConfigureAwait(false);
        }

        await _committer.DisposeAsync().ConfigureAwait(false);
        foreach (var stripe in _moving)
        {
            stripe.Dispose();
        }
    }

    /// <summary>Messages renamed into messages/ whose writers wait for its next fsync (see <see cref="GroupCommitter"/>); for tests.</summary>
    internal int CommitsWaitingForDirectoryFsync => _committer.WaitingForDirectoryFsync;

    /// <summary>
    /// Called by a writer whose file is complete: group commit (fsync, rename, directory fsync), then bookkeeping.
    /// With <paramref name="quarantine"/>, the message is kept in the quarantine: its hold marker, holding the
    /// quarantine record, is made durable before the message is (see <see cref="GroupCommitter"/>).
    /// </summary>
    internal async Task CommitAsync(SpoolRecord record, SafeFileHandle file, string tempPath, QuarantineNote? quarantine = null)
    {
        var envelope = record.Envelope;
        var marker = quarantine is null
            ? null
            : JsonSerializer.SerializeToUtf8Bytes(QuarantineRecord.From(quarantine, _time.GetUtcNow()), QueueJsonContext.Default.QuarantineRecord);
        await _committer.CommitAsync(file, tempPath, MessagePath(envelope.QueueId), quarantine is null ? null : HoldPath(envelope.QueueId), marker).ConfigureAwait(false);
        _records[envelope.QueueId] = record;
        await AnnounceAsync(record, quarantine).ConfigureAwait(false);
    }

    /// <summary>
    /// Called by a writer whose whole image is in its buffer, when this process owns segments: one append to the
    /// current segment, fsync'd with its batch.
    /// </summary>
    internal async Task CommitToSegmentAsync(SpoolRecord record, ReadOnlyMemory<byte> image)
    {
        var id = record.Envelope.QueueId;
        var location = await _segments!.AppendAsync(id, image).ConfigureAwait(false);
        _inSegments[id] = new SegmentMessage(location, record);
        await AnnounceAsync(record, null).ConfigureAwait(false);
    }

    /// <summary>
    /// A message the pipeline refused at the end of DATA: never queued, but "what happened to it" has an answer in the
    /// trace under the id its refusal names in the log.
    /// </summary>
    internal Task TraceRefusedAsync(QueuedEnvelope envelope, SmtpReply reply, long length, string? messageId = null) =>
        TraceAsync(Event("refused", envelope, reply.ToString(), ReceivedDetail(envelope, length)) with { Remote = envelope.ClientIp, MessageId = messageId });

    /// <summary>The writer is done with its id, committed or not.</summary>
    internal void ForgetId(string queueId) => _idsInUse.TryRemove(queueId, out _);

    private async Task AnnounceAsync(SpoolRecord record, QuarantineNote? quarantine)
    {
        var envelope = record.Envelope;
        var received = Event(
            "received",
            envelope,
            SpoolReplies.Queued(envelope.QueueId).ToString(),
            ReceivedDetail(envelope, record.DeliveredLength, record.Verdict));
        await TraceAsync(received with { Remote = envelope.ClientIp, MessageId = record.MessageId }).ConfigureAwait(false);
        if (quarantine is not null)
        {
            await TraceAsync(Event("held", envelope, null, $"quarantine ({quarantine.Source}): {quarantine.Reason}")).ConfigureAwait(false);
        }

        try
        {
            MessageQueued?.Invoke(envelope.QueueId);
        }
        catch (Exception ex)
        {
            QueueStoreLog.HandlerFailed(_logger, envelope.QueueId, ex);
        }
    }

    /// <summary>The received event's detail: origin, size, how the message came (TLS, RFC 8689 flags) and the checks' verdict.</summary>
    private static string ReceivedDetail(QueuedEnvelope envelope, long size, string? verdict = null)
    {
        var detail = string.Create(CultureInfo.InvariantCulture, $"origin={envelope.Origin} size={size}");
        if (envelope.TlsProtocol is not null)
        {
            detail += $" tls={envelope.TlsProtocolName} cipher={envelope.TlsCipher}";
        }

        if (envelope.RequireTls)
        {
            detail += " requiretls";
        }

        if (envelope.TlsRequiredNo)
        {
            detail += " tls-required=no";
        }

        if (verdict is not null)
        {
            detail += "; verdict " + verdict;
        }

        return detail;
    }

    private static void RequireValid(string queueId)
    {
        if (!QueueId.IsValid(queueId))
        {
            throw new ArgumentException($"'{queueId}' is not a queue id.", nameof(queueId));
        }
    }

    private TraceEvent Event(string name, QueuedEnvelope envelope, string? reply, string? detail) =>
        new(_time.GetUtcNow(), name, envelope.QueueId, envelope.From, envelope.Recipients.Select(r => r.Address).ToArray(), null, reply, detail);

    private async Task TraceAsync(TraceEvent traceEvent)
    {
        // The trace is for people; a failure to write it must not fail the mail (it is logged instead).
        try
        {
            await _trace.WriteAsync(traceEvent, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            QueueStoreLog.TraceFailed(_logger, ex);
        }
    }

    /// <summary>The message as a file in messages/, moved there first if it is in a segment of ours.</summary>
    private async Task<SpoolRecord> RequireQueuedAsync(string queueId)
    {
        RequireValid(queueId);
        await MoveOutOfSegmentAsync(queueId).ConfigureAwait(false);
        if (TryGetRecord(queueId) is { } record)
        {
            return record;
        }

        ThrowIfInRunningSegment(queueId);
        throw new KeyNotFoundException($"Message {queueId} is not queued.");
    }

    private void ThrowIfInRunningSegment(string queueId)
    {
        if (_segments is null && SegmentView().Any(m => m.Record.Envelope.QueueId == queueId))
        {
            throw new InvalidOperationException(
                $"Message {queueId} is in its first delivery attempt, in a spool segment of the running gateway; try again once that attempt is over (a deferred message moves into the queue proper), or after the gateway's next start, which moves it there.");
        }
    }

    private static QueueEntry FirstAttemptEntry(SpoolRecord record) =>
        new(record.Envelope, MessageState.Initial(record.Envelope), false, record.DeliveredLength);

    /// <summary>
    /// Moves a message of ours out of its segment into messages/ (fsync, rename, directory fsync), then marks it done
    /// there: from then on it is a message file like any other. No-op for a message not in a segment.
    /// </summary>
    private async Task MoveOutOfSegmentAsync(string queueId)
    {
        if (_segments is null || !_inSegments.ContainsKey(queueId))
        {
            return;
        }

        var gate = MovingGate(queueId);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_inSegments.TryGetValue(queueId, out var message))
            {
                return;
            }

            var image = new byte[message.Location.ImageLength];
            using (var segment = _segments.OpenRead(message.Location))
            {
                for (var read = 0; read < image.Length;)
                {
                    var n = await RandomAccess.ReadAsync(segment, image.AsMemory(read), message.ImageOffset + read).ConfigureAwait(false);
                    read += n > 0 ? n : throw new InvalidDataException($"spool segment {message.SegmentPath} ends inside message {queueId}");
                }
            }

            var temp = TempPath(queueId);
            var file = _io.CreateNew(temp);
            try
            {
                await _io.WriteAsync(file, image, 0, CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                file.Dispose();
                DeleteQuietly(temp);
                throw;
            }

            await _committer.CommitAsync(file, temp, MessagePath(queueId)).ConfigureAwait(false);
            _records[queueId] = message.Record;
            _inSegments.TryRemove(queueId, out _);
            _segments.MarkDone(message.Location);
        }
        finally
        {
            gate.Release();
        }
    }

    private SemaphoreSlim MovingGate(string queueId) =>
        _moving[(uint)StringComparer.Ordinal.GetHashCode(queueId) % (uint)_moving.Length];

    /// <summary>Marks a message of ours done in its segment; null when it is not in one.</summary>
    private async Task<SpoolRecord?> RemoveFromSegmentAsync(string queueId, CancellationToken cancellationToken)
    {
        if (_segments is null || !_inSegments.ContainsKey(queueId))
        {
            return null;
        }

        var gate = MovingGate(queueId);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_inSegments.TryRemove(queueId, out var message))
            {
                return null;
            }

            _segments.MarkDone(message.Location);
            return message.Record;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Start-up, before anything is accepted: every message not done in a segment left by the last run moves into
    /// messages/ (where the recovery that follows checks it like any file), then the segment goes; one with damage
    /// between records goes to corrupt/ instead. Returns the sequence number for this run's first segment.
    /// </summary>
    private long RecoverSegments()
    {
        var next = 1L;
        foreach (var path in SegmentSpool.List(_segmentsDirectory))
        {
            next = Math.Max(next, SegmentSpool.SequenceOf(path)!.Value + 1);
            SegmentContents contents;
            try
            {
                contents = SegmentReader.Read(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                QueueStoreLog.UnreadableFile(_logger, path, ex.Message);
                continue;
            }

            var moved = false;
            foreach (var record in contents.Records)
            {
                // Moved already by the run that crashed before its done mark reached the disk.
                var target = MessagePath(record.QueueId);
                if (File.Exists(target))
                {
                    continue;
                }

                if (record.AfterDamage)
                {
                    // Held before it is visible: an operator's hold, released only by a person (see SegmentRecord).
                    // The marker may be there already, from a recovery that crashed before it could move the message.
                    if (!File.Exists(HoldPath(record.QueueId)))
                    {
                        _io.CreateNew(HoldPath(record.QueueId)).Dispose();
                    }

                    _io.FlushDirectory(_hold);
                    QueueStoreLog.HeldAfterDamage(_logger, record.QueueId, path);
                }

                var temp = TempPath(record.QueueId);
                using (var file = _io.CreateNew(temp))
                {
                    _io.Write(file, contents.Image(record).Span, 0);
                    _io.FlushFile(file);
                }

                _io.Move(temp, target, overwrite: false);
                moved = true;
            }

            if (moved)
            {
                // The moves must be durable before the segment that held the messages can go.
                _io.FlushDirectory(_messages);
            }

            if (contents.Damaged)
            {
                SetAside(path, "bytes between records frame no message");
                _io.FlushDirectory(_corrupt);
            }
            else
            {
                _io.Delete(path);
            }

            _io.Delete(SegmentSpool.DonePathOf(path));
        }

        foreach (var orphan in Directory.EnumerateFiles(_segmentsDirectory, "*" + SegmentSpool.DoneExtension))
        {
            if (!File.Exists(Path.ChangeExtension(orphan, SegmentSpool.Extension)))
            {
                _io.Delete(orphan);
            }
        }

        return next;
    }

    /// <summary>For a process that does not own the spool: the owner's messages now in their first attempt.</summary>
    private IEnumerable<SegmentMessage> SegmentView()
    {
        foreach (var path in SegmentSpool.List(_segmentsDirectory))
        {
            SegmentContents contents;
            try
            {
                contents = SegmentReader.Read(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Deleted meanwhile (all done), or not ours to read.
                continue;
            }

            using var file = _io.OpenRead(path);
            foreach (var record in contents.Records)
            {
                SpoolRecord parsed;
                try
                {
                    parsed = SpoolFormat.ReadRecord(file, record.ImageOffset, record.ImageLength);
                }
                catch (InvalidDataException)
                {
                    // A damaged record: the owner's recovery sets it aside; this read-only view just does not list it.
                    continue;
                }

                yield return new SegmentMessage(new SegmentLocation(record.QueueId, new Segment(path), record.ImageOffset, record.ImageLength), parsed);
            }
        }
    }

    private SpoolRecord? TryGetRecord(string queueId)
    {
        var path = MessagePath(queueId);
        if (!File.Exists(path))
        {
            _records.TryRemove(queueId, out _);
            return null;
        }

        if (_records.TryGetValue(queueId, out var cached))
        {
            return cached;
        }

        try
        {
            using var file = _io.OpenRead(path);
            return _records.GetOrAdd(queueId, SpoolFormat.ReadRecord(file));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private MessageState ReadState(QueuedEnvelope envelope)
    {
        // Most messages never get a state file (delivered at the first attempt): look before opening, as a failed
        // open costs an exception per message.
        var path = StatePath(envelope.QueueId);
        if (!File.Exists(path))
        {
            return MessageState.Initial(envelope);
        }

        byte[] json;
        try
        {
            json = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return MessageState.Initial(envelope);
        }

        try
        {
            var state = JsonSerializer.Deserialize(json, QueueJsonContext.Default.MessageState);
            if (state is not null && state.Id == envelope.QueueId && state.Recipients is not null)
            {
                return state;
            }

            throw new InvalidDataException("The state file names another message or lacks recipients.");
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            // At worst a recipient is delivered twice; never is a message lost.
            QueueStoreLog.StateUnreadable(_logger, envelope.QueueId, ex);
            return MessageState.Initial(envelope);
        }
    }

    private QuarantineRecord? QuarantineOf(string queueId)
    {
        if (_quarantine.TryGetValue(queueId, out var cached))
        {
            return cached;
        }

        // A damaged record is kept as read too: it will not mend, and its warning is logged once, not every scan.
        var record = ReadQuarantine(queueId);
        if (record is not null)
        {
            _quarantine[queueId] = record;
        }

        return record;
    }

    /// <summary>
    /// The quarantine record in a hold marker; null for an operator's (empty) marker or one removed meanwhile. A record
    /// that cannot be read still marks a quarantine item, so it is listed, kept and expired like the others.
    /// </summary>
    private QuarantineRecord? ReadQuarantine(string queueId)
    {
        var path = HoldPath(queueId);
        byte[] json;
        DateTimeOffset written;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length == 0)
            {
                return null;
            }

            written = info.LastWriteTimeUtc;
            if (info.Length > MaxQuarantineRecordBytes)
            {
                return Unreadable(written);
            }

            json = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, QueueJsonContext.Default.QuarantineRecord) ?? Unreadable(written);
        }
        catch (JsonException ex)
        {
            QuarantineLog.RecordUnreadable(_logger, queueId, ex);
            return Unreadable(written);
        }

        static QuarantineRecord Unreadable(DateTimeOffset written) =>
            new("unknown", "the quarantine record could not be read", null, null, [], written);
    }

    private string? Verify(string path, string id, out bool readFailed)
    {
        readFailed = false;
        try
        {
            using var file = _io.OpenRead(path);
            var record = SpoolFormat.Verify(file);
            if (record.Envelope.QueueId != id)
            {
                return "envelope id does not match the file name";
            }

            _records[id] = record;
            return null;
        }
        catch (InvalidDataException ex)
        {
            return ex.Message;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            readFailed = true;
            return ex.Message;
        }
    }

    private void SetAside(string path, string problem)
    {
        var target = Path.Combine(_corrupt, Path.GetFileName(path));
        if (File.Exists(target))
        {
            target += "." + _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        }

        _io.Move(path, target, overwrite: false);
        QueueStoreLog.CorruptFile(_logger, path, problem);
    }

    private void RemoveOrphans(string directory, Func<string, string?> idOf, HashSet<string> present)
    {
        var removed = false;
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            var id = idOf(Path.GetFileName(path));
            if (id is null || !present.Contains(id))
            {
                _io.Delete(path);
                removed = true;
            }
        }

        if (removed)
        {
            _io.FlushDirectory(directory);
        }
    }

    private string NewId()
    {
        // 32 random bits per millisecond make a clash rare; a clash is simply retried with a fresh id. Known ids only:
        // a look at the disk would cost a syscall per message, and the rename into messages/ refuses to replace.
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var id = QueueId.New(_time);
            if (!_records.ContainsKey(id) && !_inSegments.ContainsKey(id) && _idsInUse.TryAdd(id, 0))
            {
                return id;
            }
        }

        throw new InvalidOperationException("No free queue id after 64 random draws: the id generator is broken.");
    }

    private void DeleteQuietly(string path)
    {
        try
        {
            _io.Delete(path);
        }
        catch (Exception ex)
        {
            QueueStoreLog.CleanupFailed(_logger, path, ex);
        }
    }

    private string TempPath(string id) => Path.Combine(_incoming, id + ".tmp");

    private string MessagePath(string id) => Path.Combine(_messages, id + MessageExtension);

    private string StatePath(string id) => Path.Combine(_state, id + StateExtension);

    private string HoldPath(string id) => Path.Combine(_hold, id);
}

/// <summary>A message of the owner's in a segment, with its parsed header.</summary>
internal sealed record SegmentMessage(SegmentLocation Location, SpoolRecord Record)
{
    public string SegmentPath => Location.Segment.Path;

    public long ImageOffset => Location.ImageOffset;
}
