using System.Buffers.Binary;
using System.Text;

namespace Gateway.Spam.Attachments;

/// <summary>
/// Lists a Microsoft cabinet (.cab, [MS-CAB]), which Windows Explorer opens like a folder, from its file entries
/// alone: the header gives where the CFFILE entries start and how many there are, and each entry is a fixed part
/// and a NUL-terminated name (UTF-8 when its attributes say so, else the sender's code page, read as Latin-1).
/// Nothing is decompressed (MSZIP blocks carry their dictionary across blocks, LZX and Quantum have no decoder in
/// .NET), so members are known by name. Every entry must lie inside the file; a damaged cabinet is an
/// <see cref="InvalidDataException"/>, with the names read before the damage kept.
/// </summary>
internal static class CabDirectory
{
    private const int HeaderLength = 36;
    private const int EntryFixedLength = 16;

    /// <summary>CFFILE.szName is at most 256 octets with its NUL (CB_MAX_FILENAME).</summary>
    private const int MaxName = 256;

    private const ushort ReservePresent = 0x0004;
    private const ushort NameIsUtf8 = 0x0080;

    /// <summary>Lists the cabinet in <paramref name="file"/> into <paramref name="names"/>, at most one more than <paramref name="maxMembers"/>.</summary>
    public static void Read(Stream file, int maxMembers, List<ListedMember> names)
    {
        var header = new byte[HeaderLength];
        file.Position = 0;
        file.ReadExactly(header);
        if (!header.AsSpan().StartsWith("MSCF"u8))
        {
            throw new InvalidDataException("no cabinet signature");
        }

        var firstEntry = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(16));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
        if (header[25] != 1)
        {
            throw new InvalidDataException($"cabinet format version {header[25]}.{header[24]}");
        }

        var reserve = (BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(30)) & ReservePresent) != 0;
        if (firstEntry < HeaderLength + (reserve ? 4 : 0) || firstEntry >= file.Length)
        {
            throw new InvalidDataException("cabinet file entries lie outside the file");
        }

        var entry = new byte[EntryFixedLength + MaxName];
        var at = (long)firstEntry;
        for (var i = 0; i < count && names.Count <= maxMembers; i++)
        {
            file.Position = at;
            var read = file.ReadAtLeast(entry, entry.Length, throwOnEndOfStream: false);
            if (read <= EntryFixedLength)
            {
                throw new InvalidDataException("cabinet file entry cut short");
            }

            var name = entry.AsSpan(EntryFixedLength, read - EntryFixedLength);
            var end = name.IndexOf((byte)0);
            if (end < 0)
            {
                throw new InvalidDataException($"cabinet file name longer than {MaxName - 1} octets or cut short");
            }

            var attributes = BinaryPrimitives.ReadUInt16LittleEndian(entry.AsSpan(14));
            var encoding = (attributes & NameIsUtf8) != 0 ? Encoding.UTF8 : Encoding.Latin1;
            names.Add(new ListedMember(encoding.GetString(name[..end]), null, Encrypted: false));
            at += EntryFixedLength + end + 1;
        }
    }
}
