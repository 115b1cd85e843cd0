using System.Buffers.Binary;
using System.Text;

namespace Gateway.Spam.Attachments;

/// <summary>A file an ISO 9660 image holds: its path in the image and where its content lies.</summary>
internal sealed record IsoFile(string Path, long Offset, long Length);

/// <summary>An image's files, and whether it holds more records than the limit allowed reading.</summary>
internal sealed record IsoListing(IReadOnlyList<IsoFile> Files, bool TooMany);

/// <summary>
/// Lists an ISO 9660 disk image (.iso, .img), which Windows mounts with a double-click and which therefore carries
/// executables past filters that do not look inside. Both directory trees are walked: the primary one (8.3 names)
/// and the Joliet one (Unicode names, what Windows shows), since they may name the same content differently. Every
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
    private const long MaxDirectoryOctets = 16 * 1024 * 1024;

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
    /// The image's files (directories left out), the Joliet tree's first (the names Windows shows), then the primary
    /// tree's; <see cref="InvalidDataException"/> for a damaged image.
    /// </summary>
    public static IsoListing Read(Stream file, int maxFiles)
    {
        var primary = new List<IsoFile>();
        var jolietFiles = new List<IsoFile>();
        var walk = new WalkState(file, primary, maxFiles);
        var descriptor = new byte[SectorSize];
        for (var i = 0; i < MaxDescriptors; i++)
        {
            var at = DescriptorStart + ((long)i * SectorSize);
            if (at + SectorSize > file.Length)
            {
                throw new InvalidDataException("ISO volume descriptors run past the end of the image");
            }

            file.Position = at;
            file.ReadExactly(descriptor);
            if (!descriptor.AsSpan(1, 5).SequenceEqual("CD001"u8))
            {
                throw new InvalidDataException("ISO volume descriptor without its identifier");
            }

            var type = descriptor[0];
            if (type == 255)
            {
                return new IsoListing([.. jolietFiles, .. primary], TooMany: false);
            }

            // 1: the primary volume descriptor; 2 with a UCS-2 escape sequence: Joliet.
            var joliet = type == 2 && descriptor[88] == '%' && descriptor[89] == '/' && descriptor[90] is (byte)'@' or (byte)'C' or (byte)'E';
            if (type == 1 || joliet)
            {
                var blockSize = BinaryPrimitives.ReadUInt16LittleEndian(descriptor.AsSpan(128));
                if (blockSize is not (512 or 1024 or 2048))
                {
                    throw new InvalidDataException("ISO logical block size is not 512, 1024 or 2048");
                }

                var root = descriptor.AsSpan(156, 34);
                walk.Seen.Clear();
                walk.Files = joliet ? jolietFiles : primary;
                Walk(walk, blockSize, Extent(root), BinaryPrimitives.ReadUInt32LittleEndian(root[10..]), string.Empty, joliet, 0);
                if (walk.Records > maxFiles)
                {
                    return new IsoListing([.. jolietFiles, .. primary], TooMany: true);
                }
            }
        }

        return new IsoListing([.. jolietFiles, .. primary], TooMany: false);
    }

    private static long Extent(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt32LittleEndian(record[2..]);

    /// <summary>What one image's walk has read so far, across both trees.</summary>
    private sealed class WalkState(Stream file, List<IsoFile> files, int maxFiles)
    {
        public Stream File { get; } = file;

        /// <summary>The list of the tree being walked.</summary>
        public List<IsoFile> Files { get; set; } = files;

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
                walk.Files.Add(new IsoFile(path, Extent(record) * blockSize, dataLength));
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
