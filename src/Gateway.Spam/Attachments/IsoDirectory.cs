using System.Buffers.Binary;
using System.Text;

namespace Gateway.Spam.Attachments;

/// <summary>
/// A file an ISO 9660 image holds: its path in the image and where its content lies. <paramref name="Continued"/>:
/// the record says another extent of the same file follows (flag 0x80), so this one holds only a piece.
/// </summary>
internal sealed record IsoFile(string Path, long Offset, long Length, bool Continued);

/// <summary>An image's files, and whether it holds more records than the limit allowed reading.</summary>
internal sealed record IsoListing(IReadOnlyList<IsoFile> Files, bool TooMany);

/// <summary>
/// Lists an ISO 9660 disk image (.iso, .img), which Windows mounts with a double-click and which therefore carries
/// executables past filters that do not look inside. The tree Windows shows is walked: the Joliet one (Unicode
/// names) when there is one, else the primary one (8.3 names). Every
/// extent is checked against the image's length, each directory is read once, and the walk stops after
/// <c>maxFiles</c> records: a hostile image costs reads bounded by its size.
/// </summary>
internal static class IsoDirectory
{
    /// <summary>Where the volume descriptors start: sector 16 of 2,048 octets (ISO 9660 6.2.1).</summary>
    public const int DescriptorStart = 16 * 2048;

    private const int SectorSize = 2048;
    private const int MaxDescriptors = 64;
    private const int MaxDepth = 32;

    /// <summary>Directory octets read per image: many directories claiming large extents must not multiply the reads.</summary>
    private const long MaxDirectoryOctets = 64 * 1024 * 1024;

    /// <summary>Whether <paramref name="file"/> has the ISO 9660 standard identifier "CD001" in its first volume descriptor.</summary>
    public static bool IsIso(Stream file)
    {
        if (file.Length < DescriptorStart + SectorSize)
        {
            return false;
        }

        Span<byte> id = stackalloc byte[5];
        file.Position = DescriptorStart + 1;
        file.ReadExactly(id);
        return id.SequenceEqual("CD001"u8);
    }

    /// <summary>
    /// The image's files (directories left out) as Windows shows them: the Joliet tree's when the image has one, else
    /// the primary tree's (8.3 names, which Windows shows only then; reading them next to Joliet names would call
    /// "module.info" a setup script as "MODULE.INF"). <see cref="InvalidDataException"/> for a damaged image.
    /// </summary>
    public static IsoListing Read(Stream file, int maxFiles)
    {
        byte[]? primary = null;
        byte[]? joliet = null;
        for (var i = 0; i < MaxDescriptors; i++)
        {
            var at = DescriptorStart + ((long)i * SectorSize);
            if (at + SectorSize > file.Length)
            {
                break;
            }

            var descriptor = new byte[SectorSize];
            file.Position = at;
            file.ReadExactly(descriptor);

            // The set ends at the terminator, or where descriptors stop being descriptors.
            if (!descriptor.AsSpan(1, 5).SequenceEqual("CD001"u8) || descriptor[0] == 255)
            {
                break;
            }

            // 1: the primary volume descriptor; 2 with a UCS-2 escape sequence: Joliet.
            if (descriptor[0] == 1)
            {
                primary ??= descriptor;
            }
            else if (descriptor[0] == 2 && descriptor[88] == '%' && descriptor[89] == '/' && descriptor[90] is (byte)'@' or (byte)'C' or (byte)'E')
            {
                joliet ??= descriptor;
            }
        }

        var chosen = joliet ?? primary ?? throw new InvalidDataException("ISO image without a primary volume descriptor");
        var blockSize = BinaryPrimitives.ReadUInt16LittleEndian(chosen.AsSpan(128));
        if (blockSize is not (512 or 1024 or 2048))
        {
            throw new InvalidDataException("ISO logical block size is not 512, 1024 or 2048");
        }

        var files = new List<IsoFile>();
        var walk = new WalkState(file, files, maxFiles);
        var root = chosen.AsSpan(156, 34);
        Walk(walk, blockSize, Extent(root), BinaryPrimitives.ReadUInt32LittleEndian(root[10..]), string.Empty, joliet is not null, 0);
        return new IsoListing(files, TooMany: walk.Records > maxFiles);
    }

    private static long Extent(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt32LittleEndian(record[2..]);

    /// <summary>What one image's walk has read so far.</summary>
    private sealed class WalkState(Stream file, List<IsoFile> files, int maxFiles)
    {
        public Stream File { get; } = file;

        public List<IsoFile> Files { get; } = files;

        public int MaxFiles { get; } = maxFiles;

        /// <summary>Files and directories met: directories count too, or an image of empty folders would be free.</summary>
        public int Records { get; set; }

        public long DirectoryOctets { get; set; }

        public HashSet<long> Seen { get; } = [];
    }

    private static void Walk(WalkState walk, int blockSize, long extent, uint length, string prefix, bool joliet, int depth)
    {
        var file = walk.File;
        var start = extent * blockSize;
        if (depth > MaxDepth || !walk.Seen.Add(start))
        {
            // A directory reached twice is a loop: its files are listed already.
            return;
        }

        walk.DirectoryOctets += length;
        if (start + length > file.Length || walk.DirectoryOctets > Math.Min(file.Length, MaxDirectoryOctets))
        {
            throw new InvalidDataException("ISO directories lie outside the image or add up to more than it holds");
        }

        var directory = new byte[length];
        file.Position = start;
        file.ReadExactly(directory);
        var position = 0;
        while (position < directory.Length)
        {
            var recordLength = directory[position];
            if (recordLength == 0)
            {
                // Records do not cross sector boundaries: the rest of this sector is padding.
                position = ((position / SectorSize) + 1) * SectorSize;
                continue;
            }

            if (recordLength < 34 || position + recordLength > directory.Length)
            {
                throw new InvalidDataException("ISO directory record runs past its directory");
            }

            var record = directory.AsSpan(position, recordLength);
            position += recordLength;
            var idLength = record[32];
            if (33 + idLength > recordLength)
            {
                throw new InvalidDataException("ISO file identifier runs past its record");
            }

            var id = record.Slice(33, idLength);
            if (idLength == 1 && id[0] is 0 or 1)
            {
                continue; // "." and ".."
            }

            if (++walk.Records > walk.MaxFiles)
            {
                return;
            }

            var name = Name(id, joliet);
            var path = prefix + name;
            var dataLength = BinaryPrimitives.ReadUInt32LittleEndian(record[10..]);
            if ((record[25] & 0x02) != 0)
            {
                Walk(walk, blockSize, Extent(record), dataLength, path + "/", joliet, depth + 1);
                if (walk.Records > walk.MaxFiles)
                {
                    return;
                }
            }
            else
            {
                walk.Files.Add(new IsoFile(path, Extent(record) * blockSize, dataLength, (record[25] & 0x80) != 0));
            }
        }
    }

    /// <summary>"SETUP.EXE;1" is "SETUP.EXE", "README.;1" is "README"; Joliet names are UCS-2, big-endian.</summary>
    private static string Name(ReadOnlySpan<byte> id, bool joliet)
    {
        var name = joliet ? Encoding.BigEndianUnicode.GetString(id[..(id.Length & ~1)]) : Encoding.Latin1.GetString(id);
        var version = name.LastIndexOf(';');
        if (version > 0 && name.AsSpan(version + 1).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            name = name[..version];
        }

        return name.EndsWith('.') && name.Length > 1 ? name[..^1] : name;
    }
}
