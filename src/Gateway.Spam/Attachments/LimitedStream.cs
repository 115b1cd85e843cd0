namespace Gateway.Spam.Attachments;

/// <summary>The next <c>length</c> octets of a stream (a tar member's data); ending early is a damaged archive.</summary>
internal sealed class LimitedStream(Stream inner, long length) : ForwardOnlyStream
{
    public long Remaining { get; private set; } = length;

    public override int Read(Span<byte> buffer)
    {
        if (Remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, Remaining)]);
        if (read == 0)
        {
            throw new EndOfStreamException("tar member cut short");
        }

        Remaining -= read;
        return read;
    }
}
