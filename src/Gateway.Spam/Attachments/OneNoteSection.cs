using System.Buffers.Binary;
using System.Text;

namespace Gateway.Spam.Attachments;

/// <summary>
/// What a OneNote section file (.one, MS-ONESTORE) carries that Windows can run: the files embedded in its pages,
/// each stored whole in a FileDataStoreObject (a header GUID, a 64-bit length, the octets), and the names they were
/// embedded under, by which OneNote opens them on a double-click (an embedded "invoice.hta" runs as an HTA; this was
/// how much malware was sent in 2023). The revision store around them is not walked: the file data objects are found
/// by their header GUID, the names as the length-prefixed UTF-16 strings the format keeps them in (the
/// EmbeddedFileName property, prefixed by its octet count, and the file data declaration's extension, prefixed by
/// its character count). The file is read in chunks, so memory stays bounded whatever its size.
/// </summary>
internal static class OneNoteSection
{
    /// <summary>A section's first 16 octets: {7B5C52E4-D88C-4DA7-AEB1-5378D02996D3} (also the packaging format's).</summary>
    public static ReadOnlySpan<byte> SectionSignature => [0xE4, 0x52, 0x5C, 0x7B, 0x8C, 0xD8, 0xA7, 0x4D, 0xAE, 0xB1, 0x53, 0x78, 0xD0, 0x29, 0x96, 0xD3];

    /// <summary>A notebook's table of contents (.onetoc2): {43FF2FA1-EFD9-4C76-9EE2-10EA5722765F}; it holds no files.</summary>
    public static ReadOnlySpan<byte> TocSignature => [0xA1, 0x2F, 0xFF, 0x43, 0xD9, 0xEF, 0x76, 0x4C, 0x9E, 0xE2, 0x10, 0xEA, 0x57, 0x22, 0x76, 0x5F];

    /// <summary>FileDataStoreObject.guidHeader, {BDE316E7-2665-4511-A4C4-8D4D0B7A9EAC}.</summary>
    private static ReadOnlySpan<byte> DataHeader => [0xE7, 0x16, 0xE3, 0xBD, 0x65, 0x26, 0x11, 0x45, 0xA4, 0xC4, 0x8D, 0x4D, 0x0B, 0x7A, 0x9E, 0xAC];

    /// <summary>guidHeader, cbLength (8), unused (4), reserved (8): the file's octets follow.</summary>
    private const int DataHeaderLength = 36;

    /// <summary>Longest name looked for, in UTF-16 code units (Windows' MAX_PATH).</summary>
    private const int MaxNameChars = 260;

    /// <summary>Longest extension looked for after the last dot.</summary>
    private const int MaxExtensionChars = 10;

    /// <summary>Dots and spaces after an extension looked through for the end of a name (Windows drops them).</summary>
    private const int MaxTrailing = 8;

    /// <summary>Dots with an extension after them looked at; beyond, the file is no section Office writes.</summary>
    private const int MaxNameCandidates = 100_000;

    /// <summary>Octets read at a time past the look-back, so the first read ends <see cref="Chunk"/> + <see cref="Behind"/> + <see cref="Ahead"/> in.</summary>
    internal const int Chunk = 1 << 20;

    /// <summary>Octets before an anchor a match may need: a name, its 4-octet prefix and the property IDs before it.</summary>
    internal const int Behind = (MaxNameChars * 2) + 4 + PropertyLookBack;

    /// <summary>
    /// How far before a name's length prefix the property set's ID list (naming EmbeddedFileName or SourceFilepath)
    /// may lie: the IDs come first, then the values in order, a few fixed-size ones and a path before the name.
    /// </summary>
    private const int PropertyLookBack = 1024;

    /// <summary>How far before an extension's count its file data reference ("&lt;ifndf&gt;{guid}") may start.</summary>
    private const int ReferenceLookBack = 256;

    /// <summary>PropertyIDs of EmbeddedFileName (0x1C001D9C) and SourceFilepath (0x1C001D9D), as stored.</summary>
    private static ReadOnlySpan<byte> EmbeddedFileNameId => [0x9C, 0x1D, 0x00, 0x1C];

    private static ReadOnlySpan<byte> SourceFilepathId => [0x9D, 0x1D, 0x00, 0x1C];

    /// <summary>Octets after an anchor a match may need: the data object's header, or an extension and a terminator.</summary>
    internal const int Ahead = 64;

    /// <summary>An embedded file: where its octets lie in the section.</summary>
    public readonly record struct Embedded(long Offset, long Length);

    /// <summary>
    /// What was found; <paramref name="Damage"/> says what did not read (the walk goes on past it), <paramref name="Flood"/>
    /// why it stopped at a flood of name candidates no section Office writes holds.
    /// </summary>
    public sealed record Listing(IReadOnlyList<Embedded> Files, IReadOnlyList<string> Names, bool TooMany, string? Damage, string? Flood = null);

    /// <summary>True when <paramref name="head"/> starts like a OneNote section or table of contents.</summary>
    public static bool IsOneNote(ReadOnlySpan<byte> head) => head.StartsWith(SectionSignature) || head.StartsWith(TocSignature);

    /// <summary>
    /// Finds the embedded files and the file names of the section in <paramref name="file"/> (seekable), at most
    /// <paramref name="maxEntries"/> of both together. The octets of an embedded file are looked at too (a header GUID
    /// in page text or free space proves nothing OneNote reads), and a section embedded in it is the caller's to open,
    /// one level down, as well.
    /// </summary>
    public static Listing Read(Stream file, int maxEntries, CancellationToken cancellationToken)
    {
        var files = new List<Embedded>();
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var buffer = new byte[Chunk + Behind + Ahead];
        var length = file.Length;
        string? damage = null;
        long next = 0;
        var candidates = 0;
        while (next < length)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // The buffer starts Behind octets before the first anchor not yet looked at, so every anchor in it can
            // look back for a name's prefix and ahead for a header's length.
            var start = Math.Max(0, next - Behind);
            file.Position = start;
            var filled = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            var span = buffer.AsSpan(0, filled);
            var atEnd = start + filled >= length;
            var from = (int)(next - start);
            var limit = atEnd ? filled : filled - Ahead;
            next = start + limit;

            // Every object in the chunk is handled from the same read: going back to the file after each one would
            // read a whole chunk per object.
            while (from < limit)
            {
                var header = IndexOf(span, DataHeader, from, limit);
                var dot = IndexOfDot(span, from, header < 0 ? limit : header);
                while (dot >= 0)
                {
                    if (++candidates > MaxNameCandidates)
                    {
                        // No section Office writes: a flood, judged like a member flood, not left unread.
                        return new Listing(files, names, TooMany: true, damage, $"more than {MaxNameCandidates} file name candidates");
                    }

                    if (NameAt(span, dot) is { } name && seen.Add(name))
                    {
                        names.Add(name);
                        if (files.Count + names.Count > maxEntries)
                        {
                            return new Listing(files, names, TooMany: true, damage);
                        }
                    }

                    dot = IndexOfDot(span, dot + 2, header < 0 ? limit : header);
                }

                if (header < 0)
                {
                    break;
                }

                // The header's GUID may be anywhere (page text, free space): the octets after it are looked at in any
                // case, so an object that is no object (or claims too much) hides nothing OneNote reads.
                from = header + DataHeader.Length;
                var offset = start + header;
                if (offset + DataHeaderLength > length)
                {
                    damage ??= "embedded file header cut short";
                    continue;
                }

                var size = BinaryPrimitives.ReadUInt64LittleEndian(span[(header + 16)..]);
                var dataOffset = offset + DataHeaderLength;
                if (size > (ulong)(length - dataOffset))
                {
                    damage ??= $"embedded file of {size} octets runs past the end of the section";
                    continue;
                }

                files.Add(new Embedded(dataOffset, (long)size));
                if (files.Count + names.Count > maxEntries)
                {
                    return new Listing(files, names, TooMany: true, damage);
                }
            }

            // A header found just before the limit was looked past its GUID, which may end beyond it.
            next = Math.Max(next, start + from);
        }

        return new Listing(files, names, TooMany: false, damage);
    }

    private static int IndexOf(ReadOnlySpan<byte> span, ReadOnlySpan<byte> value, int from, int limit)
    {
        if (from >= limit)
        {
            return -1;
        }

        // The header may begin before the limit and end after it (Ahead leaves room for all of it).
        var found = span[from..Math.Min(span.Length, limit + value.Length - 1)].IndexOf(value);
        return found < 0 ? -1 : from + found;
    }

    /// <summary>The next UTF-16LE "." in [from, limit), at either octet alignment.</summary>
    private static int IndexOfDot(ReadOnlySpan<byte> span, int from, int limit)
    {
        while (from < limit)
        {
            var found = span[from..Math.Min(span.Length, limit + 1)].IndexOf("\u002E\u0000"u8);
            if (found < 0)
            {
                return -1;
            }

            var dot = from + found;
            if (dot >= limit)
            {
                return -1;
            }

            if (ExtensionLength(span, dot) > 0)
            {
                return dot;
            }

            from = dot + 1;
        }

        return -1;
    }

    /// <summary>Characters of ASCII letters and digits after the dot at <paramref name="dot"/>, 0 if none or too many.</summary>
    private static int ExtensionLength(ReadOnlySpan<byte> span, int dot)
    {
        var count = 0;
        for (var at = dot + 2; at + 1 < span.Length; at += 2)
        {
            if (span[at + 1] != 0 || !char.IsAsciiLetterOrDigit((char)span[at]))
            {
                break;
            }

            if (++count > MaxExtensionChars)
            {
                return 0;
            }
        }

        return count;
    }

    /// <summary>
    /// The file name whose extension starts at <paramref name="dot"/>, when the string it ends is stored with a
    /// length prefix counting it exactly (in octets or characters, with or without a terminating NUL) and Windows
    /// would run it by that name; else null. Only the last path component is kept.
    /// </summary>
    private static string? NameAt(ReadOnlySpan<byte> span, int dot)
    {
        var extensionEnd = dot + 2 + (2 * ExtensionLength(span, dot));
        string? found = null;

        // The string may go on with dots and spaces Windows drops from a name ("a.hta." is saved as "a.hta").
        for (var (end, more) = (extensionEnd, 0); found is null && more <= MaxTrailing; end += 2, more++)
        {
            var terminated = end + 1 < span.Length && span[end] == 0 && span[end + 1] == 0;
            for (var begin = dot; begin >= 4 && (end - begin) / 2 <= MaxNameChars; begin -= 2)
            {
                if (begin < dot && !IsNameChar(BinaryPrimitives.ReadUInt16LittleEndian(span[begin..])))
                {
                    break;
                }

                var chars = (uint)(end - begin) / 2;
                var prefix = BinaryPrimitives.ReadUInt32LittleEndian(span[(begin - 4)..]);

                // Page text is stored like a name (a UTF-16 string after its octet count): only a string where the
                // format keeps names counts, an octet-counted one after the ID list naming EmbeddedFileName or
                // SourceFilepath, a character-counted one (a declared extension) right after its file data reference.
                var byOctets = prefix == chars * 2 || (terminated && prefix == (chars + 1) * 2);
                var byChars = prefix == chars || (terminated && prefix == chars + 1);
                if ((byOctets && NamedByProperty(span, begin - 4)) || (byChars && AfterReference(span, begin - 4)))
                {
                    found = Encoding.Unicode.GetString(span[begin..end]);
                }
            }

            if (end + 1 >= span.Length || span[end + 1] != 0 || span[end] is not ((byte)'.' or (byte)' '))
            {
                break;
            }
        }

        if (found is null)
        {
            return null;
        }

        var name = found[(Math.Max(found.LastIndexOf('\\'), found.LastIndexOf('/')) + 1)..];
        return FileSignatures.ByName(FileNames.Saved(name)) is null ? null : name;
    }

    /// <summary>Whether EmbeddedFileName's or SourceFilepath's ID lies in the <see cref="PropertyLookBack"/> octets before <paramref name="prefix"/>.</summary>
    private static bool NamedByProperty(ReadOnlySpan<byte> span, int prefix)
    {
        var before = span[Math.Max(0, prefix - PropertyLookBack)..prefix];
        return before.IndexOf(EmbeddedFileNameId) >= 0 || before.IndexOf(SourceFilepathId) >= 0;
    }

    /// <summary>
    /// Whether a file data reference, a character-counted UTF-16 string starting "&lt;ifndf&gt;", "&lt;file&gt;" or
    /// "&lt;invfdo&gt;" (MS-ONESTORE 2.5.27), ends at <paramref name="end"/>, as in a file data object's declaration,
    /// whose extension follows it.
    /// </summary>
    private static bool AfterReference(ReadOnlySpan<byte> span, int end)
    {
        for (var begin = end - 2; begin >= 4 && end - begin <= ReferenceLookBack; begin -= 2)
        {
            var rest = span[begin..end];
            if ((rest.StartsWith("<\0i\0f\0n\0d\0f\0>\0"u8) || rest.StartsWith("<\0f\0i\0l\0e\0>\0"u8) || rest.StartsWith("<\0i\0n\0v\0f\0d\0o\0>\0"u8))
                && BinaryPrimitives.ReadUInt32LittleEndian(span[(begin - 4)..]) == (uint)(end - begin) / 2)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A UTF-16 code unit a file name or path may hold: none Windows forbids in names (U+0000-U+001F, and
    /// "&lt;&gt;|?* and the quote); DEL and the C1 controls are allowed there, so they must not end a name here.
    /// </summary>
    private static bool IsNameChar(ushort unit) =>
        unit >= 0x20 && unit is not ('"' or '<' or '>' or '|' or '?' or '*');
}
