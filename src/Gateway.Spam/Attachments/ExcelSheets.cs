using System.Buffers.Binary;

namespace Gateway.Spam.Attachments;

/// <summary>
/// The sheet list of an Excel 97-2003 workbook stream ([MS-XLS] BIFF8, and BIFF5's "Book"): the BoundSheet8 records
/// of the globals substream say each sheet's kind, and a macro sheet (Excel 4.0 "XLM" macros, which run on opening
/// from an Auto_Open name and need no VBA project) or a VBA module sheet is what Office warns of as macros. The
/// records are read as they lie (a type, a length, the data) until the globals end; a workbook encrypted with a
/// password (FilePass) hides the sheet kinds, since only the sheet's position in a BoundSheet8 is left in clear.
/// </summary>
internal static class ExcelSheets
{
    public enum Finding
    {
        None,
        MacroSheet,
        Encrypted,

        /// <summary>The octets ended before the globals' EOF.</summary>
        Unfinished,
    }

    private const ushort Bof = 0x0809;
    private const ushort Eof = 0x000A;
    private const ushort FilePass = 0x002F;
    private const ushort BoundSheet = 0x0085;

    /// <summary>BoundSheet8.dt: a macro sheet (XLM) and a VBA module (BIFF5).</summary>
    private const byte MacroSheet = 0x01;
    private const byte VbaModule = 0x06;

    /// <summary>What the globals substream at the start of <paramref name="stream"/> declares; None when it is no workbook.</summary>
    public static Finding Declared(ReadOnlySpan<byte> stream)
    {
        if (stream.Length < 4 || BinaryPrimitives.ReadUInt16LittleEndian(stream) != Bof)
        {
            return Finding.None;
        }

        var at = 0;
        while (at + 4 <= stream.Length)
        {
            var type = BinaryPrimitives.ReadUInt16LittleEndian(stream[at..]);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(stream[(at + 2)..]);
            var data = stream[(at + 4)..];
            if (data.Length < length)
            {
                // Cut short (or past what was read): what came before stands, unless the caller read only a part.
                return Finding.Unfinished;
            }

            switch (type)
            {
                case FilePass:
                    return Finding.Encrypted;
                case BoundSheet when length >= 6 && data[5] is MacroSheet or VbaModule:
                    return Finding.MacroSheet;
                case Eof:
                    return Finding.None;
            }

            at += 4 + length;
        }

        return Finding.Unfinished;
    }
}
