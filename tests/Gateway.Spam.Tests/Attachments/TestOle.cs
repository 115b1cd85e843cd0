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
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x3C..], EndOfChain);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x44..], EndOfChain);
        for (var i = 0; i < 109; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header[(0x4C + (i * 4))..], i == 0 ? 0 : Free);
        }

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
