namespace Gateway.Spam.Attachments;

/// <summary>
/// Octets already read to learn a file's type, followed by the rest of the stream they came from: the next reader
/// (a gzip or tar reader) sees the file from its start without the source having to seek.
/// </summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : ForwardOnlyStream
{
    private int _offset;

    public override int Read(Span<byte> buffer)
    {
        if (_offset < prefix.Length)
        {
            var take = Math.Min(buffer.Length, prefix.Length - _offset);
            prefix.Span.Slice(_offset, take).CopyTo(buffer);
            _offset += take;
            return take;
        }

        return rest.Read(buffer);
    }
}
