namespace Gateway.Spam.Attachments;

/// <summary>
/// Octets written once and then read back with seeking (what <see cref="System.IO.Compression.ZipArchive"/> needs):
/// in memory up to a threshold, then in a temporary file that is deleted when the buffer is disposed. The caller
/// bounds the total; this only keeps large content out of memory.
/// </summary>
internal sealed class SpillBuffer(int memoryThreshold) : IDisposable
{
    private MemoryStream? _memory = new();
    private FileStream? _file;

    public long Length => _file?.Length ?? _memory!.Length;

    public void Write(ReadOnlySpan<byte> data)
    {
        if (_file is null && _memory!.Length + data.Length > memoryThreshold)
        {
            _file = new FileStream(
                Path.Combine(Path.GetTempPath(), "gateway-scan-" + Guid.NewGuid().ToString("N")),
                FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
            _memory.Position = 0;
            _memory.CopyTo(_file);
            _memory.Dispose();
            _memory = null;
        }

        if (_file is not null)
        {
            _file.Write(data);
        }
        else
        {
            _memory!.Write(data);
        }
    }

    /// <summary>The content from its start, as a seekable stream that leaves the buffer open when disposed.</summary>
    public Stream OpenRead()
    {
        Stream inner = _file ?? (Stream)_memory!;
        inner.Position = 0;
        return new NonClosing(inner);
    }

    public void Dispose()
    {
        _memory?.Dispose();
        _file?.Dispose();
    }

    /// <summary>Read-only view of the buffer's stream; ZipArchive disposes what it is given.</summary>
    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
