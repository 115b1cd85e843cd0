namespace Gateway.Authentication.Results;

/// <summary>
/// Walks the header fields of a raw header section without copying (RFC 5322 2.2, 2.2.3): a field is a line plus
/// every following line that starts with SP or HTAB. Lines end with CRLF or a bare LF; the section ends at the
/// first empty line or at the end of the input. Lines that are not fields are returned too, with no name, so a
/// caller never loses track of bytes. Allocation-free; a ref struct for use in a foreach-like loop.
/// </summary>
internal ref struct HeaderFieldRangeEnumerator
{
    private readonly ReadOnlySpan<byte> _headers;
    private int _position;

    public HeaderFieldRangeEnumerator(ReadOnlySpan<byte> headers)
    {
        _headers = headers;
    }

    public HeaderFieldRange Current { get; private set; }

    /// <summary>Offset where the walk stopped: the start of the empty line ending the section, or the input length.</summary>
    public readonly int Position => _position;

    public bool MoveNext()
    {
        var headers = _headers;
        var start = _position;
        if (start >= headers.Length || IsEmptyLine(headers[start..]))
        {
            return false;
        }

        var firstLineEnd = LineEnd(headers, start);
        var end = firstLineEnd;
        while (end < headers.Length && headers[end] is (byte)' ' or (byte)'\t')
        {
            end = LineEnd(headers, end);
        }

        var nameEnd = start;
        var valueStart = end;
        var colon = headers[start..firstLineEnd].IndexOf((byte)':');
        if (colon > 0)
        {
            var name = headers.Slice(start, colon);
            var trimmed = name.TrimEnd(" \t"u8).Length;

            // RFC 5322 3.6.8: ftext is %d33-57 / %d59-126; RFC 5322 4.5.8 allows WSP before the colon.
            var valid = trimmed > 0;
            foreach (var b in name[..trimmed])
            {
                valid &= b is >= 33 and <= 126;
            }

            if (valid)
            {
                nameEnd = start + trimmed;
                valueStart = start + colon + 1;
            }
        }

        Current = new HeaderFieldRange(start, end, nameEnd, valueStart);
        _position = end;
        return true;
    }

    private static bool IsEmptyLine(ReadOnlySpan<byte> rest) =>
        rest[0] == (byte)'\n' || (rest[0] == (byte)'\r' && rest.Length > 1 && rest[1] == (byte)'\n');

    private static int LineEnd(ReadOnlySpan<byte> headers, int from)
    {
        var lf = headers[from..].IndexOf((byte)'\n');
        return lf < 0 ? headers.Length : from + lf + 1;
    }
}
