namespace Gateway.Delivery.Client;

/// <summary>
/// What the stored message bytes decide about sending them, read once per delivery attempt: their length
/// (SIZE=, BDAT chunks), whether any octet has the high bit set (RFC 6152: BODY=8BITMIME, or no sending to
/// a server without it) and whether they end with CRLF. The bytes themselves are never changed.
/// </summary>
internal sealed record MessageFacts(long Length, bool HasEightBit, bool EndsWithCrlf)
{
    private const int BlockSize = 64 * 1024;

    /// <summary>
    /// The octets sent: the stored ones, plus a CRLF when they lack a final one (RFC 5321 4.1.1.4: the data ends
    /// with a line end, for DATA and BDAT alike, so the same message arrives the same way over either; DKIM
    /// treats a missing final CRLF as present, RFC 6376 3.4.3 and 3.4.4). RFC 1870 3: SIZE counts exactly these.
    /// </summary>
    public long PayloadLength => Length + (NeedsFinalCrlf ? 2 : 0);

    public bool NeedsFinalCrlf => Length > 0 && !EndsWithCrlf;

    /// <summary>Reads the whole stream once in bounded blocks.</summary>
    public static async ValueTask<MessageFacts> ReadAsync(Stream message, CancellationToken ct)
    {
        // Sized to the message when its length is known: the usual message is a few kilobytes, and a 64 KiB block
        // per delivery was half of what the plain relay allocated per message (the collector's work grows with it).
        var buffer = new byte[message.CanSeek ? (int)Math.Clamp(message.Length - message.Position, 1, BlockSize) : BlockSize];
        long length = 0;
        var eightBit = false;
        byte last = 0;
        byte beforeLast = 0;
        int read;
        while ((read = await message.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            var block = buffer.AsSpan(0, read);
            eightBit = eightBit || block.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0;
            beforeLast = read > 1 ? block[^2] : last;
            last = block[^1];
            length += read;
        }

        return new MessageFacts(length, eightBit, length >= 2 && beforeLast == '\r' && last == '\n');
    }
}
