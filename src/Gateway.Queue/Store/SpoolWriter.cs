using System.Buffers;
using System.Security.Cryptography;
using Gateway.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Queue;

/// <summary>
/// Streams one message into incoming/&lt;id&gt;.tmp (buffered, hashed as it goes), then at completion appends
/// the end record and hands the file to the group commit (fsync, rename, directory fsync). Never throws for I/O trouble: the
/// failure becomes the 451/452 answer of <see cref="CompleteAsync"/>, and the temp file is removed.
/// </summary>
internal sealed class SpoolWriter : IMessageWriter
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

    public async ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken)
    {
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

        long messageLength;
        try
        {
            messageLength = _flushed + _buffered - _messageOffset;
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
            var record = new SpoolRecord(_envelope, _messageOffset, messageLength);
            // The group commit fsyncs the file, renames it into messages/ and fsyncs the directory.
            await _store.CommitAsync(record, _file, _tempPath).ConfigureAwait(false);
            _finished = true;
            ReleaseBuffers();
            return SpoolReplies.Queued(_envelope.QueueId);
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
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
