using Microsoft.Win32.SafeHandles;

namespace Gateway.Queue;

/// <summary>
/// A read-only, seekable view of a spooled message: an optional in-memory head (the amended header section)
/// followed by a window of the spool file.
/// </summary>
internal sealed class SpoolMessageStream : Stream
{
    private readonly SafeFileHandle _file;
    private readonly ReadOnlyMemory<byte> _head;
    private readonly long _start;
    private readonly long _length;
    private readonly bool _ownsFile;
    private long _position;

    public SpoolMessageStream(SafeFileHandle file, long start, long length)
        : this(file, ReadOnlyMemory<byte>.Empty, start, length, ownsFile: true)
    {
    }

    public SpoolMessageStream(SafeFileHandle file, ReadOnlyMemory<byte> head, long start, long length, bool ownsFile)
    {
        _file = file;
        _head = head;
        _start = start;
        _length = head.Length + length;
        _ownsFile = ownsFile;
    }

    public override bool CanRead => !_file.IsClosed;

    public override bool CanSeek => !_file.IsClosed;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        var remaining = _length - _position;
        if (remaining <= 0 || buffer.IsEmpty)
        {
            return 0;
        }

        if (_position < _head.Length)
        {
            var fromHead = (int)Math.Min(buffer.Length, _head.Length - _position);
            _head.Span.Slice((int)_position, fromHead).CopyTo(buffer);
            _position += fromHead;
            return fromHead;
        }

        var read = RandomAccess.Read(_file, buffer[..(int)Math.Min(buffer.Length, remaining)], _start + _position - _head.Length);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        var remaining = _length - _position;
        if (remaining <= 0 || buffer.IsEmpty)
        {
            return 0;
        }

        if (_position < _head.Length)
        {
            return Read(buffer.Span);
        }

        var read = await RandomAccess.ReadAsync(_file, buffer[..(int)Math.Min(buffer.Length, remaining)], _start + _position - _head.Length, cancellationToken)
            .ConfigureAwait(false);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        Position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("The spooled message is immutable.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The spooled message is immutable.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsFile)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
