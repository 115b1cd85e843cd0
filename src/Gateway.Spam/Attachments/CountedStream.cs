namespace Gateway.Spam.Attachments;

/// <summary>
/// A read-only view of a decompressing stream that counts every octet it hands out against the scan's inflation
/// budget and ends (as if at end of stream) once the budget is spent, so a compressed bomb stops at the same
/// <see cref="AttachmentLimits.MaxExpanded"/> whichever reader pulls from it.
/// </summary>
internal sealed class CountedStream(Stream inner, AttachmentScan scan, long budget) : ForwardOnlyStream
{
    /// <summary>The budget ran out: what was read is a prefix of the content.</summary>
    public bool Exhausted { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        var room = budget - scan.InflatedBytes;
        if (room <= 0)
        {
            Exhausted = true;
            return 0;
        }

        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, room)]);
        scan.InflatedBytes += read;
        return read;
    }
}
