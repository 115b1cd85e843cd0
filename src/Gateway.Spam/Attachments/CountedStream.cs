namespace Gateway.Spam.Attachments;

/// <summary>
/// A read-only view of a decompressing stream that counts every octet it hands out against the scan's inflation
/// budget and throws <see cref="BudgetExceededException"/> when the content goes on past it, so a compressed bomb is
/// reported as one whichever reader (a tar walk, a buffer for a nested zip, a drain) was pulling from it.
/// </summary>
internal sealed class CountedStream(Stream inner, AttachmentScan scan, long budget) : ForwardOnlyStream
{
    private readonly byte[] _probe = new byte[1];

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var room = budget - scan.InflatedBytes;
        if (room <= 0)
        {
            // Exactly at the budget is not a bomb: only content beyond it is.
            if (inner.Read(_probe) == 0)
            {
                return 0;
            }

            throw new BudgetExceededException(budget);
        }

        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, room)]);
        scan.InflatedBytes += read;
        return read;
    }
}
