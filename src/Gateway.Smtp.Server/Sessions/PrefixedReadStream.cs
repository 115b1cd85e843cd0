namespace Gateway.Smtp.Server.Sessions;

/// <summary>
/// A stream that first returns octets already taken off the connection, then reads the connection itself.
/// On an implicit-TLS listener behind a PROXY load balancer the ClientHello often arrives in the same read as
/// the PROXY header; the TLS handshake must see those octets, not lose them with the plaintext pipe reader.
/// Writes go straight through.
/// </summary>
internal sealed class PrefixedReadStream(Stream inner, byte[] prefix) : Stream
{
    private int _prefixOffset;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => HasPrefix ? TakePrefix(buffer) : inner.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // A zero-byte read (SslStream waits for data that way) completes at once while prefix octets remain.
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        HasPrefix ? ValueTask.FromResult(TakePrefix(buffer.Span)) : inner.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private bool HasPrefix => _prefixOffset < prefix.Length;

    private int TakePrefix(Span<byte> destination)
    {
        var n = Math.Min(prefix.Length - _prefixOffset, destination.Length);
        prefix.AsSpan(_prefixOffset, n).CopyTo(destination);
        _prefixOffset += n;
        return n;
    }
}
