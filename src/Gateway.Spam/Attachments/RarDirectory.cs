using System.Buffers.Binary;
using System.Text;

namespace Gateway.Spam.Attachments;

/// <summary>
/// A file an archive lists without unpacking it (RAR, cabinet): its name (and the other name a RAR 1.5-4 header may
/// give), and whether it is encrypted.
/// </summary>
internal sealed record ListedMember(string Name, string? OtherName, bool Encrypted);


/// <summary>
/// Lists a RAR archive (RAR 5, and RAR 1.5-4) from its block headers alone. Nothing is decompressed (no RAR decoder
/// ships with .NET, and one that allocates the dictionary a header declares is a way to exhaust memory), so members
/// are known by name and encryption flag. Each block must lie inside the file and move forward, headers are
/// capped at the format's own maximum, and the listing stops after <c>maxMembers</c>: a hostile archive costs reads
/// bounded by its length. A member whose content follows in the next volume is listed in this one.
/// </summary>
internal static class RarDirectory
{
    private const int Rar5MaxHeader = 2 * 1024 * 1024;
    private const int MaxName = 4096;

    /// <summary>
    /// Blocks walked per listed member, beyond a floor: a file header comes with a few service headers at most, so
    /// an archive of millions of tiny blocks is damage, not a reason to read it to the end one block at a time.
    /// </summary>
    private const int BlocksPerMember = 4;
    private const int MinBlocks = 1_000;

    /// <summary>How far into a file RAR readers look for the signature (after a self-extractor's stub or other octets).</summary>
    public const int SignatureSearch = 1024 * 1024;

    /// <summary>
    /// Lists the archive in <paramref name="file"/> into <paramref name="members"/> (at most one more than
    /// <paramref name="maxMembers"/>); true when its headers are encrypted, so no names could be read. A damaged
    /// archive is an <see cref="InvalidDataException"/>, with the members listed before the damage kept.
    /// </summary>
    public static bool Read(Stream file, int maxMembers, List<ListedMember> members)
    {
        // The signature is looked for as RAR readers look for it: anywhere in the first MiB.
        var head = new byte[(int)Math.Min(file.Length, SignatureSearch + 8)];
        file.Position = 0;
        file.ReadExactly(head);
        var at = head.AsSpan().IndexOf("Rar!\u001A\u0007"u8);
        if (at < 0 || at > SignatureSearch || at + 7 > head.Length)
        {
            throw new InvalidDataException("no RAR signature in the first MiB");
        }

        if (at + 8 <= head.Length && head.AsSpan(at + 6, 2).SequenceEqual("\u0001\u0000"u8))
        {
            return ReadRar5(file, at + 8, maxMembers, members);
        }

        if (head[at + 6] == 0)
        {
            return ReadRar4(file, at + 7, maxMembers, members);
        }

        throw new InvalidDataException("RAR signature of an unknown version");
    }

    private static bool ReadRar5(Stream file, long position, int maxMembers, List<ListedMember> members)
    {
        var prefix = new byte[4 + 3];
        for (var blocks = 0; position < file.Length; blocks++)
        {
            TooManyBlocks(blocks, members.Count);
            // CRC32, then the header size (at most three octets: 2 MiB).
            file.Position = position;
            var got = file.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
            if (got < 5)
            {
                throw new InvalidDataException("RAR header cut short");
            }

            var sizeReader = new VintReader(prefix.AsSpan(4, got - 4));
            var headerSize = sizeReader.Next();
            if (headerSize is 0 or > Rar5MaxHeader || sizeReader.Position > 3)
            {
                throw new InvalidDataException("RAR header size out of range");
            }

            var headerStart = position + 4 + sizeReader.Position;
            var header = ReadAt(file, headerStart, (int)headerSize);
            var fields = new VintReader(header);
            var type = fields.Next();
            var flags = fields.Next();
            var extraSize = (flags & 0x0001) != 0 ? fields.Next() : 0;
            var dataSize = (flags & 0x0002) != 0 ? fields.Next() : 0;
            if (extraSize > headerSize)
            {
                throw new InvalidDataException("RAR extra area larger than its header");
            }

            switch (type)
            {
                case 4:
                    // Archive encryption header: every header after it is encrypted, names included.
                    return true;
                case 5:
                    return false;
                case 2:
                    if (Rar5File(header, fields, extraSize) is { } member)
                    {
                        members.Add(member);
                        if (members.Count > maxMembers)
                        {
                            return false;
                        }
                    }

                    break;
            }

            var next = headerStart + (long)headerSize + (long)Math.Min(dataSize, (ulong)long.MaxValue / 2);
            if (next <= position)
            {
                throw new InvalidDataException("RAR block does not move forward");
            }

            position = next;
        }

        // Archives cut off before their end block (a first volume, a truncated upload) are listed as far as they go.
        return false;
    }

    /// <summary>A RAR 5 file header's name and encryption (extra record type 1); null for a directory.</summary>
    private static ListedMember? Rar5File(byte[] header, VintReader fields, ulong extraSize)
    {
        var fileFlags = fields.Next();
        fields.Next(); // unpacked size
        fields.Next(); // attributes
        if ((fileFlags & 0x0002) != 0)
        {
            fields.Skip(4); // modification time
        }

        if ((fileFlags & 0x0004) != 0)
        {
            fields.Skip(4); // data CRC32
        }

        fields.Next(); // compression information
        fields.Next(); // host OS
        var nameLength = fields.Next();
        if (nameLength > MaxName || (long)nameLength > header.Length - fields.Position)
        {
            throw new InvalidDataException("RAR file name longer than its header");
        }

        var name = Encoding.UTF8.GetString(header.AsSpan(fields.Position, (int)nameLength));
        if ((fileFlags & 0x0001) != 0)
        {
            return null;
        }

        var encrypted = false;
        var extra = new VintReader(header.AsSpan(header.Length - (int)extraSize));
        while (extra.Position < (int)extraSize)
        {
            var recordSize = extra.Next();
            var recordStart = extra.Position;
            if (recordSize == 0 || recordSize > extraSize)
            {
                break;
            }

            encrypted |= extra.Next() == 0x01;
            extra.Skip((int)recordSize - (extra.Position - recordStart));
        }

        return new ListedMember(name, null, encrypted);
    }

    private static bool ReadRar4(Stream file, long position, int maxMembers, List<ListedMember> members)
    {
        var common = new byte[7 + 4];
        for (var blocks = 0; position < file.Length; blocks++)
        {
            TooManyBlocks(blocks, members.Count);
            file.Position = position;
            var got = file.ReadAtLeast(common, common.Length, throwOnEndOfStream: false);
            if (got < 7)
            {
                throw new InvalidDataException("RAR header cut short");
            }

            var type = common[2];
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(common.AsSpan(3));
            var headerSize = BinaryPrimitives.ReadUInt16LittleEndian(common.AsSpan(5));
            if (headerSize < 7)
            {
                throw new InvalidDataException("RAR header size out of range");
            }

            ulong dataSize = 0;
            if ((flags & 0x8000) != 0)
            {
                if (got < 11)
                {
                    throw new InvalidDataException("RAR header cut short");
                }

                dataSize = BinaryPrimitives.ReadUInt32LittleEndian(common.AsSpan(7));
            }

            switch (type)
            {
                case 0x73 when (flags & 0x0080) != 0:
                    // The archive header says the block headers are encrypted.
                    return true;
                case 0x7B:
                    return false;
                case 0x74:
                    var header = ReadAt(file, position, headerSize);
                    if ((flags & 0x0100) != 0 && header.Length >= 40)
                    {
                        dataSize |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(32)) << 32;
                    }

                    if (Rar4File(header, flags) is { } member)
                    {
                        members.Add(member);
                        if (members.Count > maxMembers)
                        {
                            return false;
                        }
                    }

                    break;
            }

            // Sizes are unsigned: a block always moves forward, and one claiming more than is left ends the walk.
            if (dataSize > (ulong)(file.Length - position))
            {
                break;
            }

            position += headerSize + (long)dataSize;
        }

        return false;
    }

    /// <summary>
    /// A RAR 1.5-4 file header's names and encryption (flag 0x04); null for a directory. With flag 0x200 the name
    /// field holds an 8-bit name, a NUL, and the Unicode name encoded against it: WinRAR shows the Unicode one,
    /// older tools the other, so both are listed when they differ.
    /// </summary>
    private static ListedMember? Rar4File(byte[] header, ushort flags)
    {
        if ((flags & 0xE0) == 0xE0)
        {
            return null;
        }

        var nameAt = (flags & 0x0100) != 0 ? 40 : 32;
        if (header.Length < nameAt)
        {
            throw new InvalidDataException("RAR file header cut short");
        }

        var nameSize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(26));
        if (nameSize > header.Length - nameAt)
        {
            throw new InvalidDataException("RAR file name longer than its header");
        }

        var field = header.AsSpan(nameAt, nameSize);
        var encrypted = (flags & 0x0004) != 0;
        var zero = field.IndexOf((byte)0);
        if ((flags & 0x0200) == 0 || zero < 0)
        {
            // Without the Unicode flag the name is in the archiver's 8-bit code page; Latin-1 keeps every octet.
            var plain = (flags & 0x0200) != 0 ? Encoding.UTF8.GetString(field) : Encoding.Latin1.GetString(field);
            return new ListedMember(plain, null, encrypted);
        }

        var unicode = DecodeUnicodeName(field, zero);
        var short8 = Encoding.Latin1.GetString(field[..zero]);
        return new ListedMember(unicode, string.Equals(unicode, short8, StringComparison.Ordinal) ? null : short8, encrypted);
    }

    /// <summary>
    /// RAR 1.5-4's Unicode name encoding, in the name field after the NUL at <paramref name="zero"/>: a high octet,
    /// then per character two flag bits (read from a flag octet, four characters per octet) saying whether it is one
    /// octet, one octet under the high octet, two octets, or a run copied from the field's own octets at the same
    /// position (with a correction added to each, under the high octet). Decoded as unrar decodes it: a code cut
    /// short is skipped and decoding goes on, and runs copy from the whole field, not only the 8-bit name.
    /// </summary>
    internal static string DecodeUnicodeName(ReadOnlySpan<byte> field, int zero)
    {
        var eightBit = field;
        var encoded = field[(zero + 1)..];
        var name = new StringBuilder();
        var at = 0;
        if (encoded.IsEmpty)
        {
            return string.Empty;
        }

        var high = encoded[at++];
        var flags = 0;
        var flagBits = 0;
        while (at < encoded.Length && name.Length < MaxName)
        {
            if (flagBits == 0)
            {
                flags = encoded[at++];
                flagBits = 8;
                if (at >= encoded.Length)
                {
                    break;
                }
            }

            switch (flags >> 6)
            {
                case 0:
                    name.Append((char)encoded[at++]);
                    break;
                case 1:
                    name.Append((char)(encoded[at++] | (high << 8)));
                    break;
                case 2 when at + 1 < encoded.Length:
                    name.Append((char)(encoded[at] | (encoded[at + 1] << 8)));
                    at += 2;
                    break;
                case 2:
                    // Cut short: skipped, as unrar skips it.
                    break;
                default:
                    var length = encoded[at++];
                    if ((length & 0x80) != 0)
                    {
                        if (at >= encoded.Length)
                        {
                            break;
                        }

                        var correction = encoded[at++];
                        for (var n = (length & 0x7F) + 2; n > 0 && name.Length < eightBit.Length; n--)
                        {
                            name.Append((char)(((eightBit[name.Length] + correction) & 0xFF) | (high << 8)));
                        }
                    }
                    else
                    {
                        for (var n = length + 2; n > 0 && name.Length < eightBit.Length; n--)
                        {
                            name.Append((char)eightBit[name.Length]);
                        }
                    }

                    break;
            }

            flags = (flags << 2) & 0xFF;
            flagBits -= 2;
        }

        return name.ToString();
    }

    private static void TooManyBlocks(int blocks, int members)
    {
        if (blocks > MinBlocks + (BlocksPerMember * members))
        {
            throw new InvalidDataException("RAR archive of far more blocks than members");
        }
    }

    private static byte[] ReadAt(Stream file, long position, int length)
    {
        if (position + length > file.Length)
        {
            throw new InvalidDataException("RAR header runs past the end of the archive");
        }

        var buffer = new byte[length];
        file.Position = position;
        file.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>RAR 5's variable-length integers: seven bits per octet, low first, the top bit saying another follows.</summary>
    private ref struct VintReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public ulong Next()
        {
            ulong value = 0;
            for (var shift = 0; shift < 70; shift += 7)
            {
                if (Position >= _data.Length)
                {
                    throw new InvalidDataException("RAR number runs past its header");
                }

                var b = _data[Position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new InvalidDataException("RAR number longer than ten octets");
        }

        public void Skip(int count)
        {
            if (count < 0 || Position + count > _data.Length)
            {
                throw new InvalidDataException("RAR field runs past its header");
            }

            Position += count;
        }
    }
}
