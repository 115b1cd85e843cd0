using System.Buffers;
using System.Security.Cryptography;
using Gateway.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Queue;

/// <summary>
/// Streams one message into incoming/&lt;id&gt;.tmp (buffered, hashed as it goes), then at completion appends
/// the end record and hands the file to the group commit (fsync, rename, directory fsync). Never throws for I/O trouble: the
/// failure becomes the 451/452 answer of <see cref="CompleteAsync(MessageAmendment, CancellationToken)"/>, and the temp file is removed.
/// </summary>
internal sealed class SpoolWriter : IInspectableMessageWriter
{
    private const int BufferSize = 64 * 1024;

    private readonly FileQueueStore _store;
    private readonly ISpoolIo _io;
    private readonly ILogger _logger;
    private readonly QueuedEnvelope _envelope;
    private readonly SafeFileHandle _file;
    private readonly string _tempPath;
    private readonly HeaderSectionBuffer? _headers;
    private readonly int _maxReceived;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _buffered;
    private long _flushed;
    private long _messageOffset;
    private long _traceLength;
    private Exception? _failure;
    private bool _finished;

    public SpoolWriter(
        FileQueueStore store,
        ISpoolIo io,
        ILogger logger,
        QueuedEnvelope envelope,
        SafeFileHandle file,
        string tempPath,
        HeaderSectionBuffer? headers,
        int maxReceived)
    {
        _store = store;
        _io = io;
        _logger = logger;
        _envelope = envelope;
        _file = file;
        _tempPath = tempPath;
        _headers = headers;
        _maxReceived = maxReceived;
    }

    public string QueueId => _envelope.QueueId;

    /// <summary>Writes the file prefix (header line + envelope) and the start of the message (our Received field).</summary>
    public async ValueTask StartAsync(byte[] prefix, byte[] messageStart, CancellationToken cancellationToken)
    {
        _messageOffset = prefix.Length;
        _traceLength = messageStart.Length;
        try
        {
            await AppendAsync(prefix, cancellationToken).ConfigureAwait(false);
            await AppendAsync(messageStart, cancellationToken).ConfigureAwait(false);
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

        _headers?.Append(data.Span);
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

    public async ValueTask<Stream> OpenContentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_failure is not null)
        {
            // Nothing reliable to read; the failure is answered at completion.
            return new MemoryStream([], writable: false);
        }

        var start = _messageOffset + _traceLength;
        if (_flushed == 0 && _buffer is { } buffer)
        {
            // Most mail is smaller than the write buffer, so all of it is still here: the checks read a copy
            // instead of the file (no flush, open or read before the commit writes it anyway).
            var copy = buffer.AsSpan((int)start, _buffered - (int)start).ToArray();
            return new MemoryStream(copy, 0, copy.Length, writable: false, publiclyVisible: true);
        }

        // The checks read through the file; what is still buffered has to reach it first (page cache, no fsync).
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        return new SpoolMessageStream(_file, ReadOnlyMemory<byte>.Empty, start, _flushed - start, ownsFile: false);
    }

    public async ValueTask<SmtpReply> CompleteAsync(MessageAmendment amendment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(amendment);
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_failure is not null)
        {
            return Fail(_failure);
        }

        if (_headers is not null)
        {
            var count = _headers.ReceivedCount;
            if (count > _maxReceived)
            {
                // RFC 5321 6.3: a loop is refused, not spooled.
                QueueStoreLog.RoutingLoop(_logger, _envelope.QueueId, _envelope.SessionId, count, _maxReceived);
                Abort();
                return SpoolReplies.RoutingLoop;
            }
        }

        if (amendment.RemoveHeaderFields.Count > 0 && _headers?.Section is null)
        {
            // Fields must be dropped (a forged Authentication-Results) but the header section was longer than the
            // spool keeps: delivering it unchanged would pass the forgery on, so the message is refused.
            Abort();
            return SpoolReplies.HeaderSectionTooLarge;
        }

        long messageLength;
        SpoolRecord record;
        try
        {
            messageLength = _flushed + _buffered - _messageOffset;
            record = new SpoolRecord(_envelope, _messageOffset, messageLength);
            await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
            if (BuildReplacement(amendment) is var (replacement, replacedLength))
            {
                await AppendAsync(SpoolFormat.BuildTrailer(replacement, replacedLength), cancellationToken).ConfigureAwait(false);
                record = record with { Replacement = replacement, ReplacedLength = replacedLength };
            }

            var end = SpoolFormat.BuildEndRecord(_hash.GetHashAndReset());
            await AppendRawAsync(end, cancellationToken).ConfigureAwait(false);
            await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Fail(ex);
        }

        try
        {
            if (amendment.HoldReason is not null)
            {
                // The hold marker is durable before the message becomes visible, so a quarantined message is
                // never delivered, not even after a crash.
                await _store.MarkHeldAsync(_envelope, cancellationToken).ConfigureAwait(false);
            }

            // The group commit fsyncs the file, renames it into messages/ and fsyncs the directory.
            await _store.CommitAsync(record, _file, _tempPath, amendment.HoldReason).ConfigureAwait(false);
            _finished = true;
            ReleaseBuffers();
            return SpoolReplies.Queued(_envelope.QueueId);
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    public ValueTask<SmtpReply> RefuseAsync(SmtpReply reply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (!_finished)
        {
            Abort();
        }

        return ValueTask.FromResult(reply);
    }

    public ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            Abort();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The bytes delivered in place of the start of the stored message: the fields to prepend, our trace field,
    /// then the client's header section without the removed fields. Null when nothing changes.
    /// </summary>
    private (byte[] Replacement, long ReplacedLength)? BuildReplacement(MessageAmendment amendment)
    {
        if (amendment.PrependHeaders.IsEmpty && amendment.RemoveHeaderFields.Count == 0)
        {
            return null;
        }

        var trace = new byte[_traceLength];
        ReadStored(trace, _messageOffset);
        var output = new System.IO.MemoryStream();
        output.Write(amendment.PrependHeaders.Span);
        output.Write(trace);
        if (amendment.RemoveHeaderFields.Count == 0 || _headers?.Section is not { } section)
        {
            // Without the whole header section at hand (longer than the bound) fields can only be added.
            return (output.ToArray(), _traceLength);
        }

        var position = 0L;
        foreach (var range in amendment.RemoveHeaderFields.OrderBy(r => r.Offset))
        {
            if (range.Offset < position || range.Length < 0 || range.End > section.Length)
            {
                throw new ArgumentException("Removed header ranges must lie inside the header section and not overlap.", nameof(amendment));
            }

            output.Write(section.Span[(int)position..(int)range.Offset]);
            position = range.End;
        }

        output.Write(section.Span[(int)position..]);
        return (output.ToArray(), _traceLength + section.Length);
    }

    /// <summary>Reads back what was written (the buffer must have been flushed).</summary>
    private void ReadStored(Span<byte> destination, long offset)
    {
        var done = 0;
        while (done < destination.Length)
        {
            var read = RandomAccess.Read(_file, destination[done..], offset + done);
            if (read == 0)
            {
                throw new IOException("The spool file is shorter than what was written to it.");
            }

            done += read;
        }
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
            await _io.WriteAsync(_file, data, _flushed, cancellationToken).ConfigureAwait(false);
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

        await _io.WriteAsync(_file, _buffer.AsMemory(0, _buffered), _flushed, cancellationToken).ConfigureAwait(false);
        _flushed += _buffered;
        _buffered = 0;
    }
}
