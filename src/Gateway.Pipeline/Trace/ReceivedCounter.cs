namespace Gateway.Pipeline.Trace;

/// <summary>
/// Counts the Received trace fields of a message so a mail loop is stopped (RFC 5321 6.3: a message with
/// too many Received fields is almost certainly looping and must be rejected, not forwarded again).
/// </summary>
internal static class ReceivedCounter
{
    /// <summary>
    /// Counts the <c>Received:</c> fields at line starts of the header section of <paramref name="data"/>
    /// (the scan stops at the first empty line). The caller bounds <paramref name="data"/>; a field whose
    /// name and colon are not entirely inside <paramref name="data"/> is not counted.
    /// </summary>
    /// <param name="data">The start of the message (CRLF lines; a bare LF is tolerated as a line end).</param>
    /// <param name="headerComplete">True when the empty line ending the header section was seen.</param>
    public static int CountReceived(ReadOnlySpan<byte> data, out bool headerComplete)
    {
        var count = 0;
        var position = 0;
        while (position < data.Length)
        {
            var line = data[position..];
            var newLine = line.IndexOf((byte)'\n');

            // RFC 5322 2.1: the header section ends at the first empty line.
            if (IsEmptyLine(line, newLine))
            {
                headerComplete = true;
                return count;
            }

            if (IsReceivedField(newLine < 0 ? line : line[..newLine]))
            {
                count++;
            }

            if (newLine < 0)
            {
                break;
            }

            position += newLine + 1;
        }

        headerComplete = false;
        return count;
    }

    private static bool IsEmptyLine(ReadOnlySpan<byte> line, int newLine) =>
        newLine == 0 || (newLine == 1 && line[0] == (byte)'\r');

    // RFC 5322 3.6.7 names the field "Received"; field names are case-insensitive (RFC 5322 1.2.2) and the
    // obsolete syntax allows WSP before the colon (RFC 5322 4.5.3), which a looping relay may well produce.
    private static bool IsReceivedField(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> name = "received"u8;
        if (line.Length <= name.Length)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            // ASCII lower-casing: setting bit 0x20 maps 'A'-'Z' onto 'a'-'z' and leaves the letters of the
            // name unchanged; no other byte maps onto a letter of "received".
            if ((line[i] | 0x20) != name[i])
            {
                return false;
            }
        }

        for (var i = name.Length; i < line.Length; i++)
        {
            var b = line[i];
            if (b == (byte)':')
            {
                return true;
            }

            if (b != (byte)' ' && b != (byte)'\t')
            {
                return false;
            }
        }

        return false;
    }
}
