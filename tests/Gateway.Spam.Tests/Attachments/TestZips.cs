using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>Zip files made at test time: ordinary ones with ZipArchive, and raw ones whose flags and sizes say what a test needs.</summary>
internal static class TestZips
{
    /// <summary>An ordinary zip (deflated members) built by the BCL.</summary>
    public static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = archive.CreateEntry(name, CompressionLevel.Optimal).Open();
                stream.Write(content);
            }
        }

        return output.ToArray();
    }

    /// <summary>Rewrites the end of a zip: a zip64 end record + locator, and an EOCD claiming <paramref name="eocdCount"/>.</summary>
    public static byte[] WithZip64End(byte[] zip, ushort eocdCount, long? realTotal = null)
    {
        var eocdAt = zip.Length - 22;
        Assert.True(zip.AsSpan(eocdAt).StartsWith("PK\u0005\u0006"u8));
        long total = realTotal ?? BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(eocdAt + 10));
        var cdSize = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(eocdAt + 12));
        var cdOffset = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(eocdAt + 16));
        using var o = new MemoryStream();
        o.Write(zip, 0, eocdAt);
        var z64At = o.Position;
        var rec = new byte[56];
        "PK\u0006\u0006"u8.CopyTo(rec);
        BinaryPrimitives.WriteInt64LittleEndian(rec.AsSpan(4), 44);
        BinaryPrimitives.WriteUInt16LittleEndian(rec.AsSpan(12), 45);
        BinaryPrimitives.WriteUInt16LittleEndian(rec.AsSpan(14), 45);
        BinaryPrimitives.WriteInt64LittleEndian(rec.AsSpan(24), total);
        BinaryPrimitives.WriteInt64LittleEndian(rec.AsSpan(32), total);
        BinaryPrimitives.WriteInt64LittleEndian(rec.AsSpan(40), cdSize);
        BinaryPrimitives.WriteInt64LittleEndian(rec.AsSpan(48), cdOffset);
        o.Write(rec);
        var loc = new byte[20];
        "PK\u0006\u0007"u8.CopyTo(loc);
        BinaryPrimitives.WriteInt64LittleEndian(loc.AsSpan(8), z64At);
        BinaryPrimitives.WriteUInt32LittleEndian(loc.AsSpan(16), 1);
        o.Write(loc);
        var end = new byte[22];
        "PK\u0005\u0006"u8.CopyTo(end);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), eocdCount);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), eocdCount);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), cdSize);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), 0xFFFFFFFF);
        o.Write(end);
        return o.ToArray();
    }

    /// <summary>Raw deflate of <paramref name="length"/> zero octets, written in 1 MiB steps (never a whole array of zeros).</summary>
    public static byte[] DeflatedZeros(long length)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            var chunk = new byte[1024 * 1024];
            for (long done = 0; done < length; done += chunk.Length)
            {
                deflate.Write(chunk, 0, (int)Math.Min(chunk.Length, length - done));
            }
        }

        return output.ToArray();
    }

    /// <summary>One member of a <see cref="Raw"/> zip: its data as stored and what the headers claim about it.</summary>
    public sealed record RawEntry(string Name, byte[] Data, long ClaimedLength, uint Crc, bool Deflated = true, bool Encrypted = false);

    /// <summary>
    /// A zip written by hand (APPNOTE 4.3): local headers, data, central directory, end record. Sizes and flags are
    /// whatever the entries say, so bombs and encrypted members can be made without a tool that would refuse.
    /// </summary>
    public static byte[] Raw(params RawEntry[] entries)
    {
        using var output = new MemoryStream();
        var offsets = new List<long>();
        foreach (var entry in entries)
        {
            offsets.Add(output.Position);
            output.Write(Header(entry, central: false, 0));
            output.Write(entry.Data);
        }

        var directory = output.Position;
        for (var i = 0; i < entries.Length; i++)
        {
            output.Write(Header(entries[i], central: true, offsets[i]));
        }

        var end = new byte[22];
        "PK\u0005\u0006"u8.CopyTo(end);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), (ushort)entries.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), (ushort)entries.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), (uint)(output.Position - directory));
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), (uint)directory);
        output.Write(end);
        return output.ToArray();
    }

    private static byte[] Header(RawEntry entry, bool central, long offset)
    {
        var name = Encoding.UTF8.GetBytes(entry.Name);
        var fixedLength = central ? 46 : 30;
        var header = new byte[fixedLength + name.Length];
        var span = header.AsSpan();
        (central ? "PK\u0001\u0002"u8 : "PK\u0003\u0004"u8).CopyTo(span);
        var at = 4;
        if (central)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[at..], 20); // version made by
            at += 2;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], 20); // version needed
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 2)..], (ushort)(entry.Encrypted ? 1 : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 4)..], (ushort)(entry.Deflated ? 8 : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 6)..], 0); // time
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 8)..], 0x21); // date: 1980-01-01
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 10)..], entry.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 14)..], (uint)entry.Data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 18)..], (uint)entry.ClaimedLength);
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 22)..], (ushort)name.Length);
        if (central)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[42..], (uint)offset);
        }

        name.CopyTo(span[fixedLength..]);
        return header;
    }

    private static readonly uint[] CrcTable = [.. Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    })];

    /// <summary>CRC-32 (ISO-HDLC, as zip uses), continuing from <paramref name="crc"/> as zlib's crc32() does.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data, uint crc = 0)
    {
        crc = ~crc;
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>CRC-32 of <paramref name="length"/> zero octets, computed in 1 MiB steps.</summary>
    public static uint Crc32OfZeros(long length)
    {
        var chunk = new byte[1024 * 1024];
        uint crc = 0;
        for (long done = 0; done < length; done += chunk.Length)
        {
            crc = Crc32(chunk.AsSpan(0, (int)Math.Min(chunk.Length, length - done)), crc);
        }

        return crc;
    }

    /// <summary>A message with the given attachments, each base64 in a part of its own after a short text.</summary>
    public static byte[] Message(params (string? Name, byte[] Content)[] attachments)
    {
        var text = new StringBuilder(
            "From: alice@example.org\r\nTo: bob@example.net\r\nSubject: files\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n");
        foreach (var (name, content) in attachments)
        {
            text.Append("--b\r\nContent-Type: application/octet-stream\r\n");
            if (name is not null)
            {
                text.Append("Content-Disposition: attachment; filename=\"").Append(name).Append("\"\r\n");
            }

            text.Append("Content-Transfer-Encoding: base64\r\n\r\n")
                .Append(Convert.ToBase64String(content, Base64FormattingOptions.InsertLineBreaks)).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("--b--\r\n").ToString());
    }
}
