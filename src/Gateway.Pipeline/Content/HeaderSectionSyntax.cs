namespace Gateway.Pipeline.Content;

/// <summary>
/// Whether a header section is one every reader splits into the same fields (RFC 5322 2.2): each line is a field
/// (a name of printable ASCII other than the colon, optional WSP, a colon; RFC 5322 3.6.8 and the obsolete WSP of
/// 4.5) or a continuation of the field above it (a line starting with WSP, RFC 5322 2.2.3). A first line that
/// starts with WSP continues nothing, and a line without a colon is not a field: a reader may take either for the
/// start of the body or for part of a field, so a gateway that forwards them cannot know what it checked.
/// </summary>
internal static class HeaderSectionSyntax
{
    /// <summary>Null when the section is well formed, else what is wrong with it (for the log, never the client).</summary>
    /// <param name="section">The header section, with the empty line that ends it when there is one.</param>
    public static string? Check(ReadOnlySpan<byte> section)
    {
        var position = 0;
        var lineNumber = 0;
        while (position < section.Length)
        {
            lineNumber++;
            var rest = section[position..];
            var lf = rest.IndexOf((byte)'\n');
            var line = lf < 0 ? rest : rest[..lf];
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.IsEmpty)
            {
                // The empty line that ends the section (RFC 5322 2.1).
                return null;
            }

            if (line[0] is (byte)' ' or (byte)'\t')
            {
                if (lineNumber == 1)
                {
                    return "the first header line starts with white space (a continuation of nothing)";
                }
            }
            else if (FieldNameEnd(line) < 0)
            {
                return $"header line {lineNumber} is neither a header field nor a continuation line";
            }

            if (lf < 0)
            {
                break;
            }

            position += lf + 1;
        }

        return null;
    }

    /// <summary>The index of the colon after a valid field name, or -1.</summary>
    private static int FieldNameEnd(ReadOnlySpan<byte> line)
    {
        var i = 0;

        // RFC 5322 3.6.8: field-name = 1*ftext; ftext = %d33-57 / %d59-126.
        while (i < line.Length && line[i] is >= 33 and <= 126 and not (byte)':')
        {
            i++;
        }

        if (i == 0)
        {
            return -1;
        }

        // RFC 5322 4.5.3 (obsolete): WSP between the name and the colon.
        while (i < line.Length && line[i] is (byte)' ' or (byte)'\t')
        {
            i++;
        }

        return i < line.Length && line[i] == (byte)':' ? i : -1;
    }
}
