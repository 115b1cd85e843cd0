using System.Text;

namespace Gateway.Authentication.Results;

/// <summary>
/// Finds the Authentication-Results fields that claim our authserv-id, so they can be removed before ours is
/// added (RFC 8601 5: a border MTA removes or renames fields carrying its own authserv-id, which a sender could
/// otherwise forge). Works on the raw header section and returns byte ranges, so the rest of the message stays
/// byte-identical (DKIM signatures over other fields still verify). A field whose authserv-id cannot be read is
/// left alone unless it is clearly ours; nothing here throws for garbage.
/// </summary>
public static class AuthenticationResultsScanner
{
    /// <summary>
    /// The ranges (start..end, each a whole field with its folded lines and line terminator) of every
    /// Authentication-Results field whose authserv-id equals <paramref name="authservId"/> case-insensitively.
    /// Only the header section is examined (up to the first empty line).
    /// </summary>
    public static IReadOnlyList<Range> FindOwnFields(ReadOnlySpan<byte> headerSection, string authservId)
    {
        ArgumentException.ThrowIfNullOrEmpty(authservId);
        List<Range>? ranges = null;
        var fields = new HeaderFieldRangeEnumerator(headerSection);
        while (fields.MoveNext())
        {
            var field = fields.Current;
            if (field.NameEquals(headerSection, "Authentication-Results"u8)
                && TryReadAuthservId(field.Value(headerSection), out var id)
                && string.Equals(id, authservId, StringComparison.OrdinalIgnoreCase))
            {
                (ranges ??= []).Add(field.Range);
            }
        }

        return ranges ?? (IReadOnlyList<Range>)[];
    }

    /// <summary>The header section without our Authentication-Results fields (a copy; the input is untouched).</summary>
    public static byte[] RemoveOwnFields(ReadOnlySpan<byte> headerSection, string authservId)
    {
        var ranges = FindOwnFields(headerSection, authservId);
        if (ranges.Count == 0)
        {
            return headerSection.ToArray();
        }

        var removed = 0;
        foreach (var range in ranges)
        {
            removed += range.End.Value - range.Start.Value;
        }

        var output = new byte[headerSection.Length - removed];
        var written = 0;
        var position = 0;
        foreach (var range in ranges)
        {
            var keep = headerSection[position..range.Start.Value];
            keep.CopyTo(output.AsSpan(written));
            written += keep.Length;
            position = range.End.Value;
        }

        headerSection[position..].CopyTo(output.AsSpan(written));
        return output;
    }

    /// <summary>Text convenience for <see cref="RemoveOwnFields(ReadOnlySpan{byte}, string)"/> (UTF-8).</summary>
    public static string RemoveOwnFields(string headerSection, string authservId)
    {
        ArgumentNullException.ThrowIfNull(headerSection);
        return Encoding.UTF8.GetString(RemoveOwnFields(Encoding.UTF8.GetBytes(headerSection), authservId));
    }

    /// <summary>
    /// Reads the authserv-id at the start of an Authentication-Results value (RFC 8601 2.2: [CFWS] authserv-id,
    /// a token or quoted-string, then CFWS, ';' or the end). False when the value does not start that way.
    /// </summary>
    public static bool TryReadAuthservId(ReadOnlySpan<byte> value, out string authservId)
    {
        authservId = string.Empty;
        var position = SkipCfws(value, 0);
        if (position < 0 || position >= value.Length)
        {
            return false;
        }

        string id;
        if (value[position] == (byte)'"')
        {
            var bytes = new List<byte>();
            position++;
            var closed = false;
            while (position < value.Length)
            {
                var b = value[position++];
                if (b == (byte)'\\' && position < value.Length)
                {
                    bytes.Add(value[position++]);
                    continue;
                }

                if (b == (byte)'"')
                {
                    closed = true;
                    break;
                }

                if (b is (byte)'\r' or (byte)'\n' or 0)
                {
                    // A folded quoted authserv-id is not something a real service writes; not clearly ours.
                    return false;
                }

                bytes.Add(b);
            }

            if (!closed || bytes.Count == 0)
            {
                return false;
            }

            id = Encoding.UTF8.GetString([.. bytes]);
        }
        else
        {
            var start = position;
            while (position < value.Length && ResultsValue.IsTokenChar(value[position]))
            {
                position++;
            }

            if (position == start)
            {
                return false;
            }

            id = Encoding.UTF8.GetString(value[start..position]);
        }

        // What follows must end the authserv-id: CFWS (then a version or ';'), ';' or the end. "ours.example/x"
        // or "ours.example.evil" are other ids (or garbage), never ours.
        if (position < value.Length)
        {
            var next = value[position];
            if (next is not ((byte)';' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'('))
            {
                return false;
            }
        }

        authservId = id;
        return true;
    }

    // Skips FWS and nested comments; -1 for an unterminated comment.
    private static int SkipCfws(ReadOnlySpan<byte> value, int position)
    {
        var depth = 0;
        while (position < value.Length)
        {
            var b = value[position];
            if (depth > 0 && b == (byte)'\\')
            {
                position += 2;
                continue;
            }

            if (b == (byte)'(')
            {
                depth++;
            }
            else if (b == (byte)')' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0 && b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return position;
            }

            position++;
        }

        return depth == 0 ? Math.Min(position, value.Length) : -1;
    }
}
