using System.Buffers.Binary;

namespace Gateway.Spam.Attachments;

/// <summary>
/// Whether a PowerPoint 97-2003 document stream ([MS-PPT]) declares a VBA project: unlike Word and Excel, PowerPoint
/// keeps the project inside this stream (a compressed ExOleObjStg), so no storage name shows it; the document
/// container's VBAInfoContainer does, with a VBAInfoAtom whose fHasMacros is 1. Both record headers are fixed by the
/// format (versions, types and lengths), so the 16 octets they make are looked for wherever the container lies.
/// </summary>
internal static class PowerPointVba
{
    /// <summary>
    /// RT_VbaInfo container (recVer 0xF, recType 0x03FF, recLen 0x14) and its RT_VbaInfoAtom (recVer 0x2, recType
    /// 0x0400, recLen 0x0C); persistIdRef, fHasMacros and version follow.
    /// </summary>
    private static ReadOnlySpan<byte> Headers => [0x0F, 0x00, 0xFF, 0x03, 0x14, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x04, 0x0C, 0x00, 0x00, 0x00];

    public static bool Declared(ReadOnlySpan<byte> stream)
    {
        var at = 0;
        while (true)
        {
            var found = stream[at..].IndexOf(Headers);
            if (found < 0)
            {
                return false;
            }

            var atom = at + found + Headers.Length;
            if (atom + 8 <= stream.Length && BinaryPrimitives.ReadUInt32LittleEndian(stream[(atom + 4)..]) == 1)
            {
                return true;
            }

            at += found + 1;
        }
    }
}
