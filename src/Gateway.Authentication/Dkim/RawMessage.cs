using System.Text;

namespace Gateway.Authentication.Dkim;

/// <summary>
/// The header fields and body of a message as raw bytes (RFC 5322 2.1), found without decoding anything, so that
/// signatures are computed over exactly the bytes that will be sent. A line ends at LF (a preceding CR belongs to
/// the ending); the header section ends at the first empty line. Lines before the first field that are not
/// fields (an mbox "From " line) and stray lines without a colon are skipped: they cannot be signed.
/// </summary>
internal sealed class RawMessage
{
    private RawMessage(List<RawHeaderField> fields, int bodyStart)
    {
        Fields = fields;
        BodyStart = bodyStart;
    }

    /// <summary>Header fields top to bottom.</summary>
    public IReadOnlyList<RawHeaderField> Fields { get; }

    /// <summary>Offset of the body (after the empty line); the message length when there is no body.</summary>
    public int BodyStart { get; }

    public static RawMessage Parse(ReadOnlySpan<byte> message)
    {
        var fields = new List<RawHeaderField>();
        var position = 0;
        var current = -1;
        var currentColon = -1;
        while (position < message.Length)
        {
            var lineEnd = message[position..].IndexOf((byte)'\n');
            var next = lineEnd < 0 ? message.Length : position + lineEnd + 1;
            var contentEnd = lineEnd < 0 ? message.Length : position + lineEnd;
            if (contentEnd > position && message[contentEnd - 1] == '\r')
            {
                contentEnd--;
            }

            if (contentEnd == position)
            {
                // The empty line: RFC 5322 2.1 separates header and body here.
                Close(fields, message, current, currentColon, position);
                return new RawMessage(fields, next);
            }

            var first = message[position];
            if (first is (byte)' ' or (byte)'\t')
            {
                // A continuation line belongs to the field above (RFC 5322 2.2.3 folding).
                position = next;
                continue;
            }

            Close(fields, message, current, currentColon, position);
            current = -1;
            var colon = message[position..contentEnd].IndexOf((byte)':');
            if (colon > 0)
            {
                current = position;
                currentColon = position + colon;
            }

            position = next;
        }

        Close(fields, message, current, currentColon, message.Length);
        return new RawMessage(fields, message.Length);
    }

    private static void Close(List<RawHeaderField> fields, ReadOnlySpan<byte> message, int start, int colon, int end)
    {
        if (start < 0)
        {
            return;
        }

        // RFC 5322 obsolete syntax allows WSP before the colon; it is not part of the name.
        var nameEnd = colon;
        while (nameEnd > start && message[nameEnd - 1] is (byte)' ' or (byte)'\t')
        {
            nameEnd--;
        }

        var name = Encoding.ASCII.GetString(message[start..nameEnd]);
        fields.Add(new RawHeaderField(name, start, colon + 1, end));
    }
}

/// <summary>One header field: the name, and offsets of its value (after the colon) and of its end (after the
/// final line ending).</summary>
internal readonly record struct RawHeaderField(string Name, int Start, int ValueStart, int End);
