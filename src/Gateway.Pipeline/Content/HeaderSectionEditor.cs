using Gateway.Abstractions;

namespace Gateway.Pipeline.Content;

/// <summary>Byte-level edits of a raw header section: whole fields left out, the empty line that ends it found or dropped.</summary>
internal static class HeaderSectionEditor
{
    /// <summary>
    /// <paramref name="section"/> without the byte ranges in <paramref name="removals"/> (each a whole field; two
    /// steps may name the same field, which is dropped once) and, with <paramref name="dropTerminator"/>, without
    /// the empty line at its end.
    /// </summary>
    public static byte[] Without(ReadOnlySpan<byte> section, IReadOnlyList<ContentRange> removals, bool dropTerminator)
    {
        var end = section.Length;
        if (dropTerminator)
        {
            end -= TerminatorLength(section);
        }

        var output = new MemoryStream(section.Length);
        var position = 0L;
        foreach (var range in removals.OrderBy(r => r.Offset))
        {
            if (range.Offset < 0 || range.End > end)
            {
                throw new InvalidOperationException("A step removed bytes outside the header fields.");
            }

            if (range.Offset > position)
            {
                output.Write(section[(int)position..(int)range.Offset]);
            }

            position = Math.Max(position, range.End);
        }

        output.Write(section[(int)position..end]);
        return output.ToArray();
    }

    /// <summary>Octets from the start of <paramref name="content"/> through the empty line that ends its header section; -1 when there is none.</summary>
    public static int SectionLength(ReadOnlySpan<byte> content)
    {
        var lineStart = 0;
        while (lineStart < content.Length)
        {
            if (content[lineStart] == (byte)'\n')
            {
                return lineStart + 1;
            }

            if (content[lineStart] == (byte)'\r' && lineStart + 1 < content.Length && content[lineStart + 1] == (byte)'\n')
            {
                return lineStart + 2;
            }

            var next = content[lineStart..].IndexOf((byte)'\n');
            if (next < 0)
            {
                return -1;
            }

            lineStart += next + 1;
        }

        return -1;
    }

    /// <summary>Length of the empty line that ends a complete header section (CRLF, or a bare LF).</summary>
    private static int TerminatorLength(ReadOnlySpan<byte> section)
    {
        if (section.EndsWith("\r\n"u8) && (section.Length == 2 || section[^3] == (byte)'\n'))
        {
            return 2;
        }

        return section.EndsWith("\n"u8) ? 1 : 0;
    }
}
