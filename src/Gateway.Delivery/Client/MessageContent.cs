namespace Gateway.Delivery.Client;

/// <summary>Facts about the stored message bytes that decide how (and whether) it may be sent.</summary>
internal static class MessageContent
{
    /// <summary>
    /// True when any octet has the high bit set (RFC 6152 2: such content needs 8BITMIME). Reads the whole
    /// stream once; the caller opens a fresh stream for sending.
    /// </summary>
    public static async ValueTask<bool> HasEightBitAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.AsSpan(0, read).IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the text holds anything outside ASCII (an address that needs SMTPUTF8, RFC 6531 3.4).</summary>
    public static bool IsNonAscii(string? text)
    {
        if (text is null)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c > 0x7F)
            {
                return true;
            }
        }

        return false;
    }
}
