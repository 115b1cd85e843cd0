using System.Buffers.Binary;
using System.Text;

namespace Gateway.Spam.Attachments;

/// <summary>
/// The directory of an OLE compound file ([MS-CFB]: .doc, .xls, .ppt, .msg), read for what Office keeps its VBA
/// macros in: a "Macros" (Word) or "_VBA_PROJECT_CUR" (Excel) storage, a "VBA" storage and its "_VBA_PROJECT"
/// stream. Only the header, the FAT sectors on the directory's chain and the directory itself are read, every
/// sector number is checked against the file's length, and a chain longer than the file has sectors is a loop: a
/// hostile file costs reads bounded by its own size, never memory it claims.
/// </summary>
internal static class CompoundFile
{
    private const int HeaderLength = 512;
    private const int EntryLength = 128;
    private const int HeaderDifatEntries = 109;
    private const uint MaxRegularSector = 0xFFFFFFFA;
    private const uint EndOfChain = 0xFFFFFFFE;

    private static readonly string[] MacroNames = ["_VBA_PROJECT", "_VBA_PROJECT_CUR", "VBA", "Macros"];

    /// <summary>True when a directory entry names a VBA storage or stream; <see cref="InvalidDataException"/> for a damaged file.</summary>
    public static bool HasMacros(Stream file)
    {
        var header = new byte[HeaderLength];
        file.Position = 0;
        file.ReadExactly(header);
        var shift = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x1E));
        if (shift is not (9 or 12))
        {
            throw new InvalidDataException("OLE sector size is neither 512 nor 4096 octets");
        }

        var sectorSize = 1 << shift;
        var sectors = Math.Max(0, (file.Length - sectorSize) / sectorSize);
        var fat = FatSectors(file, header, shift, sectors);
        var perFatSector = sectorSize / 4;

        var entry = new byte[EntryLength];
        Span<byte> next = stackalloc byte[4];
        var sector = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x30));
        for (long steps = 0; sector != EndOfChain; steps++)
        {
            if (sector > MaxRegularSector || sector >= sectors || steps > sectors)
            {
                throw new InvalidDataException("OLE directory chain leaves the file or loops");
            }

            for (var offset = 0; offset < sectorSize; offset += EntryLength)
            {
                file.Position = ((sector + 1L) << shift) + offset;
                file.ReadExactly(entry);
                if (IsMacroEntry(entry))
                {
                    return true;
                }
            }

            var fatIndex = sector / perFatSector;
            if (fatIndex >= fat.Count)
            {
                throw new InvalidDataException("OLE sector has no FAT entry");
            }

            file.Position = ((fat[(int)fatIndex] + 1L) << shift) + (sector % perFatSector * 4);
            file.ReadExactly(next);
            sector = BinaryPrimitives.ReadUInt32LittleEndian(next);
        }

        return false;
    }

    /// <summary>The FAT's sectors in order: the header's 109, then the DIFAT chain's (each DIFAT sector ends in the next one's number).</summary>
    private static List<uint> FatSectors(Stream file, byte[] header, int shift, long sectors)
    {
        var count = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x2C));
        if (count > sectors)
        {
            throw new InvalidDataException("OLE header claims more FAT sectors than the file has");
        }

        var fat = new List<uint>((int)count);
        for (var i = 0; i < HeaderDifatEntries && fat.Count < count; i++)
        {
            fat.Add(Checked(BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x4C + (i * 4))), sectors));
        }

        var sectorSize = 1 << shift;
        var difat = new byte[sectorSize];
        var next = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x44));
        for (long steps = 0; fat.Count < count; steps++)
        {
            if (next > MaxRegularSector || next >= sectors || steps > sectors)
            {
                throw new InvalidDataException("OLE DIFAT chain leaves the file or loops");
            }

            file.Position = (next + 1L) << shift;
            file.ReadExactly(difat);
            for (var i = 0; i < (sectorSize / 4) - 1 && fat.Count < count; i++)
            {
                fat.Add(Checked(BinaryPrimitives.ReadUInt32LittleEndian(difat.AsSpan(i * 4)), sectors));
            }

            next = BinaryPrimitives.ReadUInt32LittleEndian(difat.AsSpan(sectorSize - 4));
        }

        return fat;
    }

    private static uint Checked(uint sector, long sectors) =>
        sector < sectors ? sector : throw new InvalidDataException("OLE FAT sector lies outside the file");

    /// <summary>A storage (1) or stream (2) whose name, UTF-16 with its length in octets at 0x40, is one of VBA's.</summary>
    private static bool IsMacroEntry(ReadOnlySpan<byte> entry)
    {
        if (entry[0x42] is not (1 or 2))
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(entry[0x40..]);
        if (length is < 2 or > 64 || length % 2 != 0)
        {
            return false;
        }

        var name = Encoding.Unicode.GetString(entry[..(length - 2)]);
        foreach (var macro in MacroNames)
        {
            if (name.Equals(macro, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
