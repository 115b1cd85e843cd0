using System.Buffers.Binary;

namespace Gateway.Spam.Attachments;

/// <summary>
/// What a 7z archive's header says about encryption, read without decompressing anything. The header sits at the
/// end (the signature header gives its offset and size); it is either plain (small archives) or itself packed and
/// described by a short "encoded header" record. Either way the coders are listed with their ids, and AES
/// (06 F1 07 01, with its flag octet 0x24) among them means encrypted headers (names hidden) or encrypted members.
/// A packed header of an archive with encrypted members hides that too: it is not unpacked (no LZMA decoder ships
/// with .NET).
/// </summary>
internal static class SevenZipHeader
{
    /// <summary>What can be known of the archive's encryption.</summary>
    public enum Encryption
    {
        /// <summary>No AES coder in what could be read.</summary>
        NoneSeen,

        /// <summary>The header itself is encrypted: member names are hidden.</summary>
        Headers,

        /// <summary>The header is readable and lists an AES coder: members are encrypted.</summary>
        Members,
    }

    private const int SignatureHeaderLength = 32;
    private const int MaxHeader = 1024 * 1024;
    private const byte EncodedHeader = 0x17;

    private static ReadOnlySpan<byte> AesCoder => [0x24, 0x06, 0xF1, 0x07, 0x01];

    /// <summary>
    /// The archive's encryption, and its file names when the header is plain (null when it is packed);
    /// <see cref="InvalidDataException"/> when its header is not where the archive says or does not read.
    /// </summary>
    public static (Encryption Encryption, List<string>? Names) Read(Stream file, int maxFiles)
    {
        Span<byte> start = stackalloc byte[SignatureHeaderLength];
        file.Position = 0;
        file.ReadExactly(start);
        if (!start.StartsWith((ReadOnlySpan<byte>)[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]))
        {
            throw new InvalidDataException("no 7z signature");
        }

        var offset = BinaryPrimitives.ReadUInt64LittleEndian(start[12..]);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(start[20..]);
        if (size == 0)
        {
            return (Encryption.NoneSeen, []);
        }

        if (offset > (ulong)file.Length || size > (ulong)file.Length || SignatureHeaderLength + offset + size > (ulong)file.Length)
        {
            throw new InvalidDataException("7z header lies outside the archive");
        }

        if (size > MaxHeader)
        {
            // A header this large lists many thousands of files; it is not read.
            return (Encryption.NoneSeen, null);
        }

        var header = new byte[(int)size];
        file.Position = SignatureHeaderLength + (long)offset;
        file.ReadExactly(header);
        var names = SevenZipFiles.Read(header, maxFiles);
        var encryption = header.AsSpan().IndexOf(AesCoder) < 0 ? Encryption.NoneSeen
            : header[0] == EncodedHeader ? Encryption.Headers
            : Encryption.Members;
        return (encryption, names);
    }
}
