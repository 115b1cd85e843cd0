using System.Buffers.Binary;
using System.Text;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>
/// RAR archives made at test time, block by block as the format describes them (no RAR writer is free to ship):
/// members stored uncompressed, header CRCs filled in, so other readers (Debian's lsar) list them too.
/// </summary>
internal static class TestRar
{
    /// <summary>A RAR 5 member: its name, content, and whether its extra area carries a file encryption record.</summary>
    public sealed record Member5(string Name, byte[] Content, bool Encrypted = false);

    /// <summary>A RAR 5 archive; <paramref name="encryptedHeaders"/> puts an archive encryption header first.</summary>
    public static byte[] Rar5(bool encryptedHeaders, params Member5[] members)
    {
        var output = new List<byte>("Rar!\u001A\u0007\u0001\u0000"u8.ToArray());
        if (encryptedHeaders)
        {
            // Encryption version 0, flags 0, KDF count 15, a 16-octet salt.
            Block5(output, [.. Vint(4), .. Vint(0), .. Vint(0), .. Vint(0), 15, .. new byte[16]]);
            return [.. output, .. new byte[64]];
        }

        Block5(output, [.. Vint(1), .. Vint(0), .. Vint(0)]);
        foreach (var member in members)
        {
            var name = Encoding.UTF8.GetBytes(member.Name);
            byte[] extra = member.Encrypted
                ? [.. Vint(1 + 1 + 1 + 1 + 16 + 16), .. Vint(1), .. Vint(0), .. Vint(0), 15, .. new byte[16], .. new byte[16]]
                : [];
            var flags = 0x0002 | (extra.Length > 0 ? 0x0001 : 0);
            List<byte> header = [.. Vint(2), .. Vint((ulong)flags)];
            if (extra.Length > 0)
            {
                header.AddRange(Vint((ulong)extra.Length));
            }

            header.AddRange(Vint((ulong)member.Content.Length));
            header.AddRange([.. Vint(0), .. Vint((ulong)member.Content.Length), .. Vint(0x20), .. Vint(0), .. Vint(0), .. Vint((ulong)name.Length), .. name, .. extra]);
            Block5(output, [.. header]);
            output.AddRange(member.Content);
        }

        Block5(output, [.. Vint(5), .. Vint(0), .. Vint(0)]);
        return [.. output];
    }

    /// <summary>A RAR 4 member: the 8-bit name, the Unicode name when it has one (encoded after a NUL), content, encryption flag.</summary>
    public sealed record Member4(string Name, string? UnicodeName, byte[] Content, bool Encrypted = false);

    public static byte[] Rar4(bool encryptedHeaders, params Member4[] members)
    {
        var output = new List<byte>("Rar!\u001A\u0007\u0000"u8.ToArray());
        Block4(output, 0x73, (ushort)(encryptedHeaders ? 0x0080 : 0), [0, 0, 0, 0, 0, 0]);
        foreach (var member in members)
        {
            byte[] name = member.UnicodeName is { } unicode
                ? [.. Encoding.Latin1.GetBytes(member.Name), 0, .. EncodeUnicode(unicode)]
                : Encoding.Latin1.GetBytes(member.Name);
            var flags = (ushort)(0x8000 | (member.Encrypted ? 0x0004 : 0) | (member.UnicodeName is null ? 0 : 0x0200));
            var fields = new byte[25];
            BinaryPrimitives.WriteUInt32LittleEndian(fields, (uint)member.Content.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(fields.AsSpan(4), (uint)member.Content.Length);
            fields[8] = 2;
            BinaryPrimitives.WriteUInt32LittleEndian(fields.AsSpan(9), TestZips.Crc32(member.Content));
            BinaryPrimitives.WriteUInt32LittleEndian(fields.AsSpan(13), 0x5A210000);
            fields[17] = 29;
            fields[18] = 0x30;
            BinaryPrimitives.WriteUInt16LittleEndian(fields.AsSpan(19), (ushort)name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(fields.AsSpan(21), 0x20);
            Block4(output, 0x74, flags, [.. fields, .. name]);
            output.AddRange(member.Content);
        }

        Block4(output, 0x7B, 0x4000, []);
        return [.. output];
    }

    /// <summary>
    /// A RAR 4 archive of one file header with 64-bit sizes (flag 0x100) claiming <paramref name="packLow"/> and
    /// <paramref name="packHigh"/> as its packed size, and <paramref name="nameField"/> as its name field as is.
    /// </summary>
    public static byte[] Rar4Large(ushort extraFlags, uint packLow, uint packHigh, byte[] nameField)
    {
        var output = new List<byte>("Rar!\u001A\u0007\u0000"u8.ToArray());
        Block4(output, 0x73, 0, [0, 0, 0, 0, 0, 0]);
        var fields = new byte[33];
        BinaryPrimitives.WriteUInt32LittleEndian(fields, packLow);
        fields[8] = 2;
        fields[17] = 29;
        fields[18] = 0x30;
        BinaryPrimitives.WriteUInt16LittleEndian(fields.AsSpan(19), (ushort)nameField.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(fields.AsSpan(25), packHigh);
        Block4(output, 0x74, (ushort)(0x8000 | 0x0100 | extraFlags), [.. fields, .. nameField]);
        return [.. output, .. new byte[64]];
    }

    /// <summary>The Unicode name as RAR 4 encodes it, every character as two octets (flag 2), four to a flag octet.</summary>
    private static byte[] EncodeUnicode(string name)
    {
        var output = new List<byte> { 0 };
        for (var i = 0; i < name.Length; i += 4)
        {
            output.Add(0xAA);
            for (var j = i; j < Math.Min(i + 4, name.Length); j++)
            {
                output.Add((byte)name[j]);
                output.Add((byte)(name[j] >> 8));
            }
        }

        return [.. output];
    }

    private static void Block5(List<byte> output, byte[] header)
    {
        byte[] sized = [.. Vint((ulong)header.Length), .. header];
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, TestZips.Crc32(sized));
        output.AddRange(crc);
        output.AddRange(sized);
    }

    private static void Block4(List<byte> output, byte type, ushort flags, byte[] rest)
    {
        var header = new byte[7 + rest.Length];
        header[2] = type;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(3), flags);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(5), (ushort)header.Length);
        rest.CopyTo(header, 7);
        BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)TestZips.Crc32(header.AsSpan(2)));
        output.AddRange(header);
    }

    private static byte[] Vint(ulong value)
    {
        var output = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            output.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
        return [.. output];
    }
}
