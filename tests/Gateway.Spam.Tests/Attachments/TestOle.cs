using System.Buffers.Binary;
using System.Text;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>
/// OLE compound files ([MS-CFB] version 3, 512-octet sectors) made at test time, laid out as Word lays out a .doc:
/// a FAT sector, then a directory of two sectors chained through the FAT, with eight entries. The last four are a
/// VBA project (Macros/VBA/_VBA_PROJECT and dir) or, without macros, an object pool of the same shape.
/// </summary>
internal static class TestOle
{
    private const uint Free = 0xFFFFFFFF;
    private const uint EndOfChain = 0xFFFFFFFE;
    private const uint FatSector = 0xFFFFFFFD;

    /// <summary>The file; <paramref name="directoryNext"/> is what the FAT says follows the first directory sector (2 in a sound file).</summary>
    public static byte[] Document(bool macros, uint directoryNext = 2)
    {
        var file = new byte[512 * 4];
        Header(file, miniFatStart: EndOfChain, miniFatSectors: 0);

        // Sector 0 is the FAT: itself, then the directory's chain 1 -> 2 -> end.
        var fat = file.AsSpan(512, 512);
        for (var i = 0; i < 128; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(fat[(i * 4)..], i switch { 0 => FatSector, 1 => directoryNext, 2 => EndOfChain, _ => Free });
        }

        string[] tail = macros ? ["Macros", "VBA", "_VBA_PROJECT", "dir"] : ["ObjectPool", "Pictures", "Data", "Text"];
        Entry(file, 0, "Root Entry", 5, left: Free, right: Free, child: 1);
        Entry(file, 1, "WordDocument", 2, left: 2, right: 3, child: Free);
        Entry(file, 2, "1Table", 2, left: Free, right: Free, child: Free);
        Entry(file, 3, "\u0005SummaryInformation", 2, left: Free, right: 4, child: Free);
        Entry(file, 4, tail[0], 1, left: Free, right: Free, child: 5);
        Entry(file, 5, tail[1], 1, left: Free, right: Free, child: 6);
        Entry(file, 6, tail[2], 2, left: Free, right: 7, child: Free);
        Entry(file, 7, tail[3], 2, left: Free, right: Free, child: Free);
        return file;
    }

    /// <summary>
    /// An Excel 97-2003 file: the FAT, a one-sector directory (the root and a "Workbook" stream), and the stream
    /// itself, in regular sectors or (<paramref name="mini"/>, for a stream under 4096 octets) in the mini stream.
    /// </summary>
    public static byte[] Workbook(byte[] stream, bool mini, string name = "Workbook")
    {
        var sectors = mini ? 1 + ((stream.Length + 511) / 512) : (stream.Length + 511) / 512;

        // A stream of more than 125 sectors needs more FAT sectors: they follow the mini FAT, listed in the header.
        var extraFat = 0;
        while ((extraFat + 1) * 128 < 3 + extraFat + sectors)
        {
            extraFat++;
        }

        var file = new byte[512 * (3 + extraFat + sectors)];
        Header(file, miniFatStart: mini ? 2 : EndOfChain, miniFatSectors: mini ? 1u : 0u);

        // Sector 0 is the FAT, 1 the directory; then the mini FAT (mini only), the other FAT sectors and one chain for
        // the data, which is the workbook itself or the mini stream holding it.
        var fatStart = mini ? 3u : 2u;
        var dataStart = fatStart + (uint)extraFat;
        var dataSectors = (stream.Length + 511) / 512;
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(0x2C), 1 + (uint)extraFat);
        for (var f = 0; f < extraFat; f++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(0x4C + ((f + 1) * 4)), fatStart + (uint)f);
        }

        for (var i = 0; i < 128 * (1 + extraFat); i++)
        {
            var fatSector = i < 128 ? 0 : fatStart + ((i / 128) - 1);
            var next = i == 0 || (i >= fatStart && i < dataStart) ? FatSector
                : i == 1 ? EndOfChain
                : mini && i == 2 ? EndOfChain
                : i >= dataStart && i < dataStart + dataSectors ? (i == dataStart + dataSectors - 1 ? EndOfChain : (uint)i + 1)
                : Free;
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan((int)((fatSector + 1) * 512) + ((i % 128) * 4)), next);
        }

        if (mini)
        {
            var miniSectors = (stream.Length + 63) / 64;
            var miniFat = file.AsSpan(512 * 3, 512);
            for (var i = 0; i < 128; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(miniFat[(i * 4)..], i < miniSectors - 1 ? (uint)i + 1 : i == miniSectors - 1 ? EndOfChain : Free);
            }
        }

        stream.CopyTo(file, 512 * (dataStart + 1));
        Entry(file, 0, "Root Entry", 5, left: Free, right: Free, child: 1);
        Entry(file, 1, name, 2, left: Free, right: Free, child: Free);
        Unused(file, 2);
        Unused(file, 3);
        var root = file.AsSpan(1024, 128);
        BinaryPrimitives.WriteUInt32LittleEndian(root[0x74..], mini ? dataStart : EndOfChain);
        BinaryPrimitives.WriteUInt64LittleEndian(root[0x78..], mini ? (ulong)(((stream.Length + 63) / 64) * 64) : 0);
        var book = file.AsSpan(1024 + 128, 128);
        BinaryPrimitives.WriteUInt32LittleEndian(book[0x74..], mini ? 0 : dataStart);
        BinaryPrimitives.WriteUInt64LittleEndian(book[0x78..], (ulong)stream.Length);
        return file;
    }

    /// <summary>
    /// A BIFF8 workbook stream: the globals (BOF, an optional FilePass, one BoundSheet8 per sheet, EOF), then each
    /// sheet's substream (BOF of the sheet's kind, EOF), padded with a Blank-free filler record to at least
    /// <paramref name="minimumLength"/> octets.
    /// </summary>
    public static byte[] Biff(IReadOnlyList<(string Name, byte Kind)> sheets, bool encrypted = false, int minimumLength = 0)
    {
        using var globals = new MemoryStream();
        Record(globals, 0x0809, Bof(0x0005));
        if (encrypted)
        {
            // XOR obfuscation (wEncryptionType 0): a key and a verifier.
            Record(globals, 0x002F, [0, 0, 0x34, 0x12, 0x78, 0x56]);
        }

        var boundSheetsAt = globals.Length;
        foreach (var (name, _) in sheets)
        {
            Record(globals, 0x0085, BoundSheet(0, 0, name));
        }

        Record(globals, 0x000A, []);
        using var stream = new MemoryStream();
        stream.Write(globals.ToArray());
        var positions = new List<uint>();
        foreach (var (_, kind) in sheets)
        {
            positions.Add((uint)stream.Length);
            Record(stream, 0x0809, Bof(kind == 1 ? (ushort)0x0040 : (ushort)0x0010));
            Record(stream, 0x000A, []);
        }

        while (stream.Length + 4 < minimumLength)
        {
            // A Continue-free pad after the last substream, as writers leave slack; readers stop at the last EOF.
            Record(stream, 0x0000, new byte[(int)Math.Min(2048, minimumLength - stream.Length - 4)]);
        }

        var octets = stream.ToArray();
        var at = (int)boundSheetsAt;
        for (var i = 0; i < sheets.Count; i++)
        {
            var record = BoundSheet(positions[i], sheets[i].Kind, sheets[i].Name);
            record.CopyTo(octets, at + 4);
            at += 4 + record.Length;
        }

        return octets;
    }

    /// <summary>
    /// A PowerPoint document stream: a DocumentContainer holding a DocumentAtom-sized filler and, with
    /// <paramref name="vba"/>, a VBAInfoContainer whose VBAInfoAtom says fHasMacros = <paramref name="hasMacros"/>;
    /// padded to at least <paramref name="minimumLength"/> octets.
    /// </summary>
    public static byte[] Presentation(bool vba, uint hasMacros = 1, int minimumLength = 0)
    {
        using var children = new MemoryStream();
        RecordHeader(children, 0x0001, 0x03E9, 40);
        children.Write(new byte[40]);
        if (vba)
        {
            RecordHeader(children, 0x000F, 0x03FF, 0x14);
            RecordHeader(children, 0x0002, 0x0400, 0x0C);
            var atom = new byte[12];
            BinaryPrimitives.WriteUInt32LittleEndian(atom, 7);
            BinaryPrimitives.WriteUInt32LittleEndian(atom.AsSpan(4), hasMacros);
            BinaryPrimitives.WriteUInt32LittleEndian(atom.AsSpan(8), 2);
            children.Write(atom);
        }

        using var stream = new MemoryStream();
        RecordHeader(stream, 0x000F, 0x03E8, (uint)children.Length);
        children.Position = 0;
        children.CopyTo(stream);
        if (stream.Length < minimumLength)
        {
            stream.Write(new byte[minimumLength - stream.Length]);
        }

        return stream.ToArray();
    }

    private static void RecordHeader(Stream stream, ushort versionAndInstance, ushort type, uint length)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(header, versionAndInstance);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], type);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], length);
        stream.Write(header);
    }

    private static byte[] Bof(ushort kind)
    {
        var bof = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(bof, 0x0600);
        BinaryPrimitives.WriteUInt16LittleEndian(bof.AsSpan(2), kind);
        BinaryPrimitives.WriteUInt16LittleEndian(bof.AsSpan(4), 0x2775);
        BinaryPrimitives.WriteUInt16LittleEndian(bof.AsSpan(6), 0x07CD);
        return bof;
    }

    private static byte[] BoundSheet(uint position, byte kind, string name)
    {
        var record = new byte[8 + name.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(record, position);
        record[4] = 0;
        record[5] = kind;
        record[6] = (byte)name.Length;
        record[7] = 0;
        Encoding.Latin1.GetBytes(name).CopyTo(record, 8);
        return record;
    }

    private static void Record(Stream stream, ushort type, byte[] data)
    {
        Span<byte> head = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(head, type);
        BinaryPrimitives.WriteUInt16LittleEndian(head[2..], (ushort)data.Length);
        stream.Write(head);
        stream.Write(data);
    }

    private static void Unused(byte[] file, int index)
    {
        var entry = file.AsSpan(1024 + (index * 128), 128);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[0x44..], Free);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[0x48..], Free);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[0x4C..], Free);
    }

    /// <summary>A version 3 header: 512-octet sectors, one FAT sector (sector 0), the directory from sector 1.</summary>
    private static void Header(byte[] file, uint miniFatStart, uint miniFatSectors)
    {
        var header = file.AsSpan(0, 512);
        byte[] signature = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        signature.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x18..], 0x3E);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1A..], 3);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1C..], 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1E..], 9);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x20..], 6);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x2C..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x30..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x38..], 4096);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x3C..], miniFatStart);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x40..], miniFatSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x44..], EndOfChain);
        for (var i = 0; i < 109; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header[(0x4C + (i * 4))..], i == 0 ? 0 : Free);
        }
    }

    private static void Entry(byte[] file, int index, string name, byte type, uint left, uint right, uint child)
    {
        // Directory sectors 1 and 2 follow the header and the FAT sector: entries 0-3 in the first, 4-7 in the second.
        var entry = file.AsSpan(1024 + (index * 128), 128);
        var encoded = Encoding.Unicode.GetBytes(name);
        encoded.CopyTo(entry);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[0x40..], (ushort)(encoded.Length + 2));
        entry[0x42] = type;
        entry[0x43] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(entry[0x44..], left);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[0x48..], right);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[0x4C..], child);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[0x74..], type == 5 ? EndOfChain : 0);
    }
}
