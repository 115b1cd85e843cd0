using System.Buffers;
using System.Security.Cryptography;
using Gateway.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Queue;

/// <summary>
/// Streams one message into incoming/&lt;id&gt;.tmp (buffered, hashed as it goes), then at completion appends the
/// pipeline's amendment and the end record and hands the file to the group commit (fsync, rename, directory fsync).
/// The file is made only once the buffer overflows: a message that fits in it whole goes to a segment instead (see
/// <see cref="SegmentSpool"/>), when the store has segments, and never touches incoming/.
/// It only stores: the client's bytes go to the file as they arrive, unchanged. Never throws for I/O trouble: the
/// failure becomes the 451/452 answer of <see cref="CompleteAsync(MessageAmendment, CancellationToken)"/>, and the temp file is removed.
/// </summary>
internal sealed class SpoolWriter : IInspectableMessageWriter
{
    private const int BufferSize = 64 * 1024;

    private readonly FileQueueStore _store;
    private readonly ISpoolIo _io;
    private readonly ILogger _logger;
    private readonly QueuedEnvelope _envelope;
    private readonly string _tempPath;
    private SafeFileHandle? _file;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _buffered;
    private long _flushed;
    private long _messageOffset;
    private Exception? _failure;
    private bool _finished;

    public SpoolWriter(
        FileQueueStore store,
        ISpoolIo io,
        ILogger logger,
        QueuedEnvelope envelope,
        string tempPath)
    {
        _store = store;
        _io = io;
        _logger = logger;
        _envelope = envelope;
        _tempPath = tempPath;
    }

    public string QueueId => _envelope.QueueId;

    /// <summary>Writes the file prefix (header line + envelope).</summary>
    public async ValueTask StartAsync(byte[] prefix, CancellationToken cancellationToken)
    {
        _messageOffset = prefix.Length;
        try
        {
            await AppendAsync(prefix, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _failure = ex;
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_failure is not null)
        {
            // Keep reading what the client sends; the failure is answered at the end of DATA.
            return;
        }

        try
        {
            await AppendAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _failure = ex;
        }
    }

    public ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken) =>
        CompleteAsync(MessageAmendment.None, cancellationToken);

    public bool TryGetContent(out ReadOnlyMemory<byte> content)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_failure is null && _flushed == 0 && _buffer is { } buffer)
        {
            // Most mail is smaller than the write buffer, so all of it is still here: the pipeline reads it in place
            // (no flush, open or read before the commit writes it anyway, and no copy).
            content = buffer.AsMemory((int)_messageOffset, _buffered - (int)_messageOffset);
            return true;
        }

        content = default;
        return false;
    }

    public async ValueTask<Stream> OpenContentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_failure is not null)
        {
            // Nothing reliable to read; the failure is answered at completion.
            return new MemoryStream([], writable: false);
        }

        if (TryGetContent(out _))
        {
            return new MemoryStream(_buffer!, (int)_messageOffset, _buffered - (int)_messageOffset, writable: false, publiclyVisible: false);
        }

        // The pipeline reads through the file; what is still buffered has to reach it first (page cache, no fsync).
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        return new SpoolMessageStream(_file!, ReadOnlyMemory<byte>.Empty, _messageOffset, _flushed - _messageOffset, ownsFile: false);
    }

    public async ValueTask<SmtpReply> CompleteAsync(MessageAmendment amendment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(amendment);
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_failure is not null)
        {
            return Fail(_failure);
        }

        long messageLength;
        SpoolRecord record;
        try
        {
            messageLength = _flushed + _buffered - _messageOffset;
            record = new SpoolRecord(_envelope, _messageOffset, messageLength) { Verdict = amendment.Verdict, MessageId = amendment.MessageId };
            if (!amendment.Prefix.IsEmpty || amendment.ReplacedLength > 0)
            {
                if (amendment.ReplacedLength < 0 || amendment.ReplacedLength > messageLength)
                {
                    throw new ArgumentException("The amendment replaces more than the message.", nameof(amendment));
                }

                await AppendAsync(SpoolFormat.BuildTrailer(amendment.Prefix.Span, amendment.ReplacedLength), cancellationToken).ConfigureAwait(false);
                record = record with { Replacement = amendment.Prefix.ToArray(), ReplacedLength = amendment.ReplacedLength };
            }

            if (amendment.TlsRequiredNo)
            {
                await AppendAsync(SpoolFormat.BuildFlags(SpoolFormat.TlsRequiredNoFlag), cancellationToken).ConfigureAwait(false);
                record = record with { Envelope = record.Envelope with { TlsRequiredNo = true } };
            }

            var end = SpoolFormat.BuildEndRecord(_hash.GetHashAndReset());
            await AppendRawAsync(end, cancellationToken).ConfigureAwait(false);
            if (_file is null && amendment.Quarantine is null && _store.HasSegments)
            {
                // The whole image is in the buffer: one append to the shared segment, fsync'd with its batch.
                await _store.CommitToSegmentAsync(record, _buffer.AsMemory(0, _buffered)).ConfigureAwait(false);
                _finished = true;
                ReleaseBuffers();
                return SpoolReplies.Queued(_envelope.QueueId);
            }

            await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Fail(ex);
        }

        try
        {
            // The group commit fsyncs the file, renames it into messages/ and fsyncs the directory; a hold marker
            // is made durable first, so a quarantined message is never delivered, not even after a crash.
            await _store.CommitAsync(record, _file!, _tempPath, amendment.Quarantine).ConfigureAwait(false);
            _finished = true;
            ReleaseBuffers();
            return SpoolReplies.Queued(_envelope.QueueId);
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    public async ValueTask<SmtpReply> RefuseAsync(SmtpReply reply, long messageLength, string? messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (!_finished)
        {
            Abort();

            // The client's size, not what was stored: a message too big for its domain is not stored past the limit,
            // and a trace saying it was smaller than the limit it was refused for would mislead.
            await _store.TraceRefusedAsync(_envelope, reply, messageLength, messageId).ConfigureAwait(false);
        }

        return reply;
    }

    public ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            Abort();
        }

        return ValueTask.CompletedTask;
    }

    private SmtpReply Fail(Exception exception)
    {
        var reply = SpoolReplies.ForFailure(exception);
        QueueStoreLog.SpoolFailed(_logger, _envelope.QueueId, reply.ToString(), exception);
        Abort();
        return reply;
    }

    /// <summary>Nothing of an aborted message may survive (IMessageWriter contract).</summary>
    private void Abort()
    {
        _finished = true;
        if (_file is null)
        {
            ReleaseBuffers();
            return;
        }

        _file.Dispose();
        try
        {
            _io.Delete(_tempPath);
        }
        catch (Exception ex)
        {
            // Left in incoming/, which recovery empties.
            QueueStoreLog.CleanupFailed(_logger, _tempPath, ex);
        }

        ReleaseBuffers();
    }

    private void ReleaseBuffers()
    {
        _store.ForgetId(_envelope.QueueId);
        _hash.Dispose();
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    private ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _hash.AppendData(data.Span);
        return AppendRawAsync(data, cancellationToken);
    }

    private async ValueTask AppendRawAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var buffer = _buffer!;
        if (data.Length <= buffer.Length - _buffered)
        {
            data.Span.CopyTo(buffer.AsSpan(_buffered));
            _buffered += data.Length;
            return;
        }

        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        if (data.Length >= buffer.Length)
        {
            await _io.WriteAsync(File(), data, _flushed, cancellationToken).ConfigureAwait(false);
            _flushed += data.Length;
            return;
        }

        data.Span.CopyTo(buffer);
        _buffered = data.Length;
    }

    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        if (_buffered == 0)
        {
            return;
        }

        await _io.WriteAsync(File(), _buffer.AsMemory(0, _buffered), _flushed, cancellationToken).ConfigureAwait(false);
        _flushed += _buffered;
        _buffered = 0;
    }

    /// <summary>The temp file, made on first need; a failure to make it is the writer's failure, as a write's is.</summary>
    private SafeFileHandle File() => _file ??= _io.CreateNew(_tempPath);
}
