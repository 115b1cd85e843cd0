using System.Text;

namespace Gateway.Spam.Attachments;

/// <summary>A tar member as <see cref="UstarReader"/> hands it out; <paramref name="Data"/> is valid until the next member.</summary>
internal sealed record UstarMember(string Name, long Size, bool IsFile, Stream Data);

/// <summary>
/// Walks a tar (POSIX ustar, with GNU long names and PAX path records) as a forward-only stream, header by header.
/// Written for hostile input rather than taken from System.Formats.Tar, which allocates what a metadata header
/// declares (up to 2 GB for one 512-octet header) and throws overflow and range exceptions on odd numeric fields:
/// here a metadata record over 64 KiB, a base-256 size, a bad checksum or a cut-short archive is an
/// <see cref="InvalidDataException"/>, and names are capped and stripped of control characters.
/// </summary>
internal sealed class UstarReader(Stream tar) : IDisposable
{
    private const int Block = 512;
    private const int MaxMetadata = 64 * 1024;
    private const int MaxName = 1024;

    private readonly byte[] _header = new byte[Block];
    private LimitedStream? _current;
    private long _padding;
    private string? _longName;

    /// <summary>The next member (directories and links included), or null at the end of the archive.</summary>
    public UstarMember? Next()
    {
        SkipRest();
        while (true)
        {
            var read = tar.ReadAtLeast(_header, Block, throwOnEndOfStream: false);
            if (read == 0)
            {
                // Archives cut off before their closing zero blocks are common enough to accept.
                return null;
            }

            if (read < Block)
            {
                throw new InvalidDataException("tar header cut short");
            }

            if (_header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            {
                return null;
            }

            if (!ChecksumMatches(_header))
            {
                throw new InvalidDataException("tar header checksum does not match");
            }

            var size = Octal(_header.AsSpan(124, 12)) ?? throw new InvalidDataException("tar size field is not an octal number");
            var padding = (Block - (size % Block)) % Block;
            var type = _header[156];
            if (type is (byte)'L' or (byte)'K' or (byte)'x' or (byte)'g')
            {
                if (size > MaxMetadata)
                {
                    throw new InvalidDataException($"tar metadata record of {size} octets");
                }

                var data = new byte[size + padding];
                tar.ReadExactly(data);
                if (type == (byte)'L')
                {
                    _longName = Text(data.AsSpan(0, (int)size));
                }
                else if (type == (byte)'x')
                {
                    _longName = PaxPath(data.AsSpan(0, (int)size)) ?? _longName;
                }

                continue;
            }

            var name = _longName ?? HeaderName(_header);
            _longName = null;
            _current = new LimitedStream(tar, size);
            _padding = padding;
            return new UstarMember(name, size, type is (byte)'0' or 0 or (byte)'7', _current);
        }
    }

    /// <summary>Lets go of the current member's view; the tar stream itself belongs to the caller.</summary>
    public void Dispose() => _current?.Dispose();

    private void SkipRest()
    {
        if (_current is null)
        {
            return;
        }

        _current.CopyTo(Stream.Null);
        var padding = new byte[_padding];
        tar.ReadExactly(padding);
        _current.Dispose();
        _current = null;
    }

    /// <summary>
    /// Whether <paramref name="head"/> starts with a tar header: the ustar magic (POSIX and GNU), or, for the old
    /// Unix v7 layout that has none, a named member whose size is octal and whose checksum matches. Random octets
    /// pass the checksum only by chance, and a text file never has the NULs and octal fields in their places.
    /// </summary>
    public static bool StartsWithHeader(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8))
        {
            return true;
        }

        return head.Length >= Block && head[0] != 0 && head[156] is 0 or (>= (byte)'0' and <= (byte)'7')
            && Octal(head.Slice(124, 12)) is not null && ChecksumMatches(head[..Block]);
    }

    private static bool ChecksumMatches(ReadOnlySpan<byte> header)
    {
        var stored = Octal(header.Slice(148, 8));
        if (stored is null)
        {
            return false;
        }

        long unsigned = 0;
        long signed = 0;
        for (var i = 0; i < Block; i++)
        {
            var b = i is >= 148 and < 156 ? (byte)' ' : header[i];
            unsigned += b;
            signed += (sbyte)b;
        }

        // Some old writers summed signed chars; both sums are accepted, as other readers do.
        return stored == unsigned || stored == signed;
    }

    /// <summary>An octal field (leading blanks, then digits, ended by a blank or NUL); null for base-256 or garbage.</summary>
    private static long? Octal(ReadOnlySpan<byte> field)
    {
        if (!field.IsEmpty && (field[0] & 0x80) != 0)
        {
            return null;
        }

        var i = 0;
        while (i < field.Length && field[i] is (byte)' ' or 0)
        {
            i++;
        }

        long value = 0;
        var digits = 0;
        for (; i < field.Length && field[i] is >= (byte)'0' and <= (byte)'7'; i++, digits++)
        {
            value = (value * 8) + (field[i] - '0');
        }

        var terminated = i == field.Length || field[i] is (byte)' ' or 0;
        return digits > 0 && terminated ? value : null;
    }

    private static string HeaderName(ReadOnlySpan<byte> header)
    {
        var name = Text(CString(header[..100]));
        if (header.Slice(257, 5).SequenceEqual("ustar"u8))
        {
            var prefix = Text(CString(header.Slice(345, 155)));
            if (prefix.Length > 0)
            {
                return prefix + "/" + name;
            }
        }

        return name;
    }

    /// <summary>The "path" record of a PAX extended header ("LEN key=value\n" records), if it has one.</summary>
    private static string? PaxPath(ReadOnlySpan<byte> records)
    {
        string? path = null;
        while (!records.IsEmpty)
        {
            var space = records.IndexOf((byte)' ');
            if (space <= 0 || DecimalLength(records[..space]) is not { } length || length <= space || length > records.Length)
            {
                break;
            }

            var record = records[(space + 1)..length];
            if (record.StartsWith("path="u8))
            {
                path = Text(record[5..].TrimEnd((byte)'\n'));
            }

            records = records[length..];
        }

        return path;
    }

    private static int? DecimalLength(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9' || value > MaxMetadata)
            {
                return null;
            }

            value = (value * 10) + (b - '0');
        }

        return value;
    }

    private static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> field) =>
        field.IndexOf((byte)0) is >= 0 and var end ? field[..end] : field;

    /// <summary>A name as logs and replies may show it: decoded leniently, control characters replaced, capped.</summary>
    private static string Text(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, MaxName)]).TrimEnd('\0');
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
