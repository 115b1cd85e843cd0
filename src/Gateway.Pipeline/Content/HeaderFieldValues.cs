using System.Text;

namespace Gateway.Pipeline.Content;

/// <summary>
/// The values of the header fields of one name in a header section, unfolded (RFC 5322 2.2.3: the line breaks before
/// continuation lines removed), for the few fields the gateway itself reads from the client's header section.
/// </summary>
internal static class HeaderFieldValues
{
    /// <summary>Every field named <paramref name="name"/> (case ignored, RFC 5322 1.2.2), in order; octets read as Latin-1.</summary>
    /// <param name="section">The header section, with the empty line that ends it when there is one.</param>
    /// <param name="name">The field name, ASCII.</param>
    /// <param name="max">At most this many values are returned.</param>
    public static IReadOnlyList<string> All(ReadOnlySpan<byte> section, ReadOnlySpan<byte> name, int max = int.MaxValue)
    {
        // Read for every message, where the field is usually absent: nothing is allocated then.
        List<string>? values = null;
        var position = 0;
        while (position < section.Length && (values?.Count ?? 0) < max)
        {
            var rest = section[position..];
            var lf = rest.IndexOf((byte)'\n');
            var line = TrimCr(lf < 0 ? rest : rest[..lf]);
            if (line.IsEmpty)
            {
                break;
            }

            var next = lf < 0 ? section.Length : position + lf + 1;
            if (ValueStart(line, name) is var start and >= 0)
            {
                var value = new StringBuilder(Encoding.Latin1.GetString(line[start..]));
                while (next < section.Length && section[next] is (byte)' ' or (byte)'\t')
                {
                    var continuation = section[next..];
                    var end = continuation.IndexOf((byte)'\n');
                    value.Append(Encoding.Latin1.GetString(TrimCr(end < 0 ? continuation : continuation[..end])));
                    next = end < 0 ? section.Length : next + end + 1;
                }

                (values ??= []).Add(value.ToString());
            }

            position = next;
        }

        return values ?? (IReadOnlyList<string>)[];
    }

    /// <summary>The first field named <paramref name="name"/>, unfolded; null when there is none.</summary>
    public static string? First(ReadOnlySpan<byte> section, ReadOnlySpan<byte> name) => All(section, name, max: 1) is [var value] ? value : null;

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    /// <summary>Where the value starts when <paramref name="line"/> is a field of that name (obsolete WSP before the colon allowed, RFC 5322 4.5.3), else -1.</summary>
    private static int ValueStart(ReadOnlySpan<byte> line, ReadOnlySpan<byte> name)
    {
        if (line.Length <= name.Length || !Ascii.EqualsIgnoreCase(line[..name.Length], name))
        {
            return -1;
        }

        var afterName = line[name.Length..];
        var rest = afterName.TrimStart(" \t"u8);
        return rest.Length > 0 && rest[0] == (byte)':' ? line.Length - rest.Length + 1 : -1;
    }
}
