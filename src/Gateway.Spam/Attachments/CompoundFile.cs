using System.Buffers.Binary;
using System.Text;

namespace Gateway.Spam.Attachments;

/// <summary>
/// The directory of an OLE compound file ([MS-CFB]: .doc, .xls, .ppt, .msg), read for what Office keeps its macros
/// in: a "Macros" (Word) or "_VBA_PROJECT_CUR" (Excel) storage, a "VBA" storage and its "_VBA_PROJECT" stream; an
/// Excel workbook's sheet list (<see cref="ExcelSheets"/>), where Excel 4.0 (XLM) macro sheets are declared; and a
/// PowerPoint document stream, which keeps its VBA project inside itself (<see cref="PowerPointVba"/>). Only
/// the header, the FAT sectors on the chains followed, the directory and the start of the workbook stream are read,
/// every sector number is checked against the file's length, and a chain longer than the file has sectors is a
/// loop: a hostile file costs reads bounded by its own size, never memory it claims.
/// </summary>
internal static class CompoundFile
{
    /// <summary>What the file holds: no macros, macros (VBA or XLM), or a workbook whose sheet list is encrypted.</summary>
    public enum Macros
    {
        None,
        Present,
        EncryptedWorkbook,

        /// <summary>A presentation stream larger than is searched for its VBA declaration.</summary>
        PresentationTooLarge,
    }

    /// <summary>Octets of a PowerPoint document stream searched for its VBA declaration (pictures live in another stream).</summary>
    public const int MaxPresentationRead = 16 << 20;

    /// <summary>Octets of the workbook stream read for its sheet list, which leads its globals.</summary>
    private const int MaxWorkbookRead = 1 << 20;

    /// <summary>Distinct "Workbook" and "Book" streams read; a file Office writes has one.</summary>
    private const int MaxWorkbooks = 4;

    /// <summary>Streams smaller than this (the header says, 4096 in every version) live in the mini stream.</summary>
    private const int MiniSectorLength = 64;
    private const int HeaderLength = 512;
    private const int EntryLength = 128;
    private const int HeaderDifatEntries = 109;
    private const uint MaxRegularSector = 0xFFFFFFFA;
    private const uint EndOfChain = 0xFFFFFFFE;

    private static readonly string[] MacroNames = ["_VBA_PROJECT", "_VBA_PROJECT_CUR", "VBA", "Macros"];

    /// <summary>
    /// Whether a directory entry names a VBA storage or stream, or the workbook declares a macro sheet;
    /// <see cref="InvalidDataException"/> for a damaged file.
    /// </summary>
    public static Macros Find(Stream file)
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

        var chains = new Chains(file, shift, sectors, fat);
        var entry = new byte[EntryLength];
        (uint Start, long Size)? root = null;
        var workbooks = new List<(uint Start, long Size)>();
        var presentations = new List<(uint Start, long Size)>();
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
                    return Macros.Present;
                }

                var stream = (BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(0x74)), StreamSize(entry, shift));
                if (entry[0x42] == 5)
                {
                    root ??= stream;
                }
                else if (entry[0x42] == 2 && NameIs(entry, "Workbook", "Book"))
                {
                    // Excel reads the root's "Workbook", else its "Book"; a decoy listed first (a "Book" beside the
                    // "Workbook", one in a storage) must not stand for it, so every one is read. So for PowerPoint.
                    Collect(workbooks, stream, "workbook");
                }
                else if (entry[0x42] == 2 && NameIs(entry, "PowerPoint Document"))
                {
                    Collect(presentations, stream, "PowerPoint document");
                }
            }

            sector = chains.Next(sector);
        }

        var cutoff = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x38));
        byte[] Read((uint Start, long Size) stream, int length) =>
            stream.Size > file.Length ? throw new InvalidDataException("OLE stream longer than the file")
            : stream.Size >= cutoff ? chains.Read(stream.Start, length)
            : ReadMini(chains, header, root, stream.Start, length);

        foreach (var slides in presentations)
        {
            if (slides.Size > MaxPresentationRead)
            {
                return Macros.PresentationTooLarge;
            }

            if (PowerPointVba.Declared(Read(slides, (int)slides.Size)))
            {
                return Macros.Present;
            }
        }

        var found = Macros.None;
        foreach (var book in workbooks)
        {
            switch (ExcelSheets.Declared(Read(book, (int)Math.Min(book.Size, MaxWorkbookRead))))
            {
                case ExcelSheets.Finding.MacroSheet:
                    return Macros.Present;
                case ExcelSheets.Finding.Encrypted:
                    found = Macros.EncryptedWorkbook;
                    break;
                case ExcelSheets.Finding.Unfinished when book.Size > MaxWorkbookRead:
                    // The globals go on past what is read: the sheet list may be further on.
                    throw new InvalidDataException($"workbook globals longer than {MaxWorkbookRead} octets");
            }
        }

        return found;
    }

    /// <summary>Adds a stream of the kind Office reads once, at most <see cref="MaxWorkbooks"/> of them.</summary>
    private static void Collect(List<(uint Start, long Size)> streams, (uint Start, long Size) stream, string kind)
    {
        if (streams.Contains(stream))
        {
            return;
        }

        if (streams.Count == MaxWorkbooks)
        {
            throw new InvalidDataException($"more than {MaxWorkbooks} {kind} streams");
        }

        streams.Add(stream);
    }

    /// <summary>
    /// A small stream's octets from the mini stream (the root entry's stream, in 64-octet mini sectors chained
    /// through the mini FAT, itself a stream of regular sectors).
    /// </summary>
    private static byte[] ReadMini(Chains chains, byte[] header, (uint Start, long Size)? root, uint start, int length)
    {
        if (root is not { } container)
        {
            throw new InvalidDataException("OLE file without a root entry");
        }

        var miniFatSectors = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x40));
        var miniFat = chains.Read(BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x3C)), (int)Math.Min((long)miniFatSectors << chains.Shift, MaxWorkbookRead));
        var mini = chains.Read(container.Start, (int)Math.Min(container.Size, MaxWorkbookRead + MiniSectorLength));
        var octets = new byte[length];
        var sector = start;
        for (var done = 0; done < length; done += MiniSectorLength)
        {
            var piece = Math.Min(MiniSectorLength, length - done);
            if (((long)sector * MiniSectorLength) + piece > mini.Length)
            {
                throw new InvalidDataException("OLE mini stream chain leaves the mini stream");
            }

            mini.AsSpan((int)sector * MiniSectorLength, piece).CopyTo(octets.AsSpan(done));
            if (done + MiniSectorLength >= length)
            {
                break;
            }

            if (((long)sector * 4) + 4 > miniFat.Length)
            {
                throw new InvalidDataException("OLE mini sector has no mini FAT entry");
            }

            sector = BinaryPrimitives.ReadUInt32LittleEndian(miniFat.AsSpan((int)sector * 4));
        }

        return octets;
    }

    /// <summary>A stream's size: 64 bits in version 4 files, the low 32 in version 3 (whose high half may be garbage).</summary>
    private static long StreamSize(ReadOnlySpan<byte> entry, int shift)
    {
        var size = BinaryPrimitives.ReadUInt64LittleEndian(entry[0x78..]);
        return (long)(shift == 9 ? size & 0xFFFFFFFF : Math.Min(size, long.MaxValue));
    }

    private static bool NameIs(ReadOnlySpan<byte> entry, params ReadOnlySpan<string> names)
    {
        var length = BinaryPrimitives.ReadUInt16LittleEndian(entry[0x40..]);
        if (length is < 2 or > 64 || length % 2 != 0)
        {
            return false;
        }

        var name = Encoding.Unicode.GetString(entry[..(length - 2)]);
        foreach (var candidate in names)
        {
            if (name.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sector chains through the FAT, every step checked against the file.</summary>
    private sealed class Chains(Stream file, int shift, long sectors, List<uint> fat)
    {
        private readonly byte[] _next = new byte[4];

        public int Shift => shift;

        public uint Next(uint sector)
        {
            var perFatSector = (1 << shift) / 4;
            var fatIndex = sector / perFatSector;
            if (fatIndex >= fat.Count)
            {
                throw new InvalidDataException("OLE sector has no FAT entry");
            }

            file.Position = ((fat[(int)fatIndex] + 1L) << shift) + (sector % perFatSector * 4);
            file.ReadExactly(_next);
            return BinaryPrimitives.ReadUInt32LittleEndian(_next);
        }

        /// <summary>The first <paramref name="length"/> octets of the chain from <paramref name="start"/>.</summary>
        public byte[] Read(uint start, int length)
        {
            var octets = new byte[Math.Max(0, length)];
            var sectorSize = 1 << shift;
            var sector = start;
            for (var done = 0; done < octets.Length; done += sectorSize)
            {
                if (sector > MaxRegularSector || sector >= sectors)
                {
                    throw new InvalidDataException("OLE stream chain leaves the file or loops");
                }

                file.Position = (sector + 1L) << shift;
                file.ReadExactly(octets.AsSpan(done, Math.Min(sectorSize, octets.Length - done)));
                if (done + sectorSize < octets.Length)
                {
                    sector = Next(sector);
                }
            }

            return octets;
        }
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

        return NameIs(entry, MacroNames);
    }
}
