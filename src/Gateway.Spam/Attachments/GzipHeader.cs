namespace Gateway.Spam.Attachments;

/// <summary>
/// The file name a gzip stores in its header (RFC 1952 2.3.1, FNAME). gunzip ignores it by default, but 7-Zip,
/// WinRAR and Windows' own extractor save the content under it, so "invoice.pdf.gz" may unpack as "invoice.js".
/// </summary>
internal static class GzipHeader
{
    /// <summary>
    /// Header octets read to find the name: the fixed part, the largest extra field (65,535 octets) and a name of
    /// up to 8 KiB. A longer name is itself suspect.
    /// </summary>
    public const int MaxLength = 10 + 2 + 65_535 + 8_192;

    private const byte FlagExtra = 0x04;
    private const byte FlagName = 0x08;

    /// <summary>What the header says of a stored name.</summary>
    public enum NameState
    {
        /// <summary>No name stored (or not a gzip header at all: the inflater will say so).</summary>
        None,

        /// <summary>A name, in <c>name</c>.</summary>
        Found,

        /// <summary>A name is stored but does not end within <see cref="MaxLength"/> octets.</summary>
        TooLong,
    }

    /// <summary>The stored name in <paramref name="header"/>, the first octets of a gzip, as Latin-1 (RFC 1952), its directories dropped.</summary>
    public static NameState TryReadName(ReadOnlySpan<byte> header, out string? name)
    {
        name = null;
        if (header.Length < 10 || header[0] != 0x1f || header[1] != 0x8b || (header[3] & FlagName) == 0)
        {
            return NameState.None;
        }

        var position = 10;
        if ((header[3] & FlagExtra) != 0)
        {
            if (header.Length < position + 2)
            {
                return NameState.TooLong;
            }

            position += 2 + (header[position] | (header[position + 1] << 8));
        }

        var end = position < header.Length ? header[position..].IndexOf((byte)0) : -1;
        if (end < 0)
        {
            return NameState.TooLong;
        }

        var stored = System.Text.Encoding.Latin1.GetString(header.Slice(position, end));

        // An extractor saves the file in the folder being extracted into, whatever directories the name gives.
        name = stored[(stored.LastIndexOfAny(['/', '\\']) + 1)..];
        return name.Length == 0 ? NameState.None : NameState.Found;
    }
}
