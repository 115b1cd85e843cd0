using System.Text;

namespace Gateway.Spam.Attachments;

/// <summary>
/// The file names in a plain (unpacked) 7z header, which 7-Zip writes for small archives: the header is walked
/// structure by structure (archive properties, streams, folders and their coders, sub-streams, then the files'
/// properties) to its name list. Every count is checked against the octets left, so a hostile header fails as an
/// <see cref="InvalidDataException"/> after reads bounded by its own length. Directories are left out.
/// </summary>
internal sealed class SevenZipFiles
{
    private const byte End = 0x00;
    private const byte Header = 0x01;
    private const byte ArchiveProperties = 0x02;
    private const byte AdditionalStreamsInfo = 0x03;
    private const byte MainStreamsInfo = 0x04;
    private const byte FilesInfo = 0x05;
    private const byte PackInfo = 0x06;
    private const byte UnpackInfo = 0x07;
    private const byte SubStreamsInfo = 0x08;
    private const byte Size = 0x09;
    private const byte Crc = 0x0A;
    private const byte Folder = 0x0B;
    private const byte CodersUnpackSize = 0x0C;
    private const byte NumUnpackStream = 0x0D;
    private const byte EmptyStream = 0x0E;
    private const byte EmptyFile = 0x0F;
    private const byte Name = 0x11;

    private readonly byte[] _data;
    private int _at;

    private SevenZipFiles(byte[] data) => _data = data;

    /// <summary>The names of the files (not directories) a header lists; null when it is no plain header (packed or encrypted).</summary>
    public static List<string>? Read(byte[] header, int maxFiles)
    {
        var reader = new SevenZipFiles(header);
        return reader.ReadHeader(maxFiles);
    }

    private List<string>? ReadHeader(int maxFiles)
    {
        if (Byte() != Header)
        {
            return null;
        }

        var id = Byte();
        if (id == ArchiveProperties)
        {
            while (Number() != 0)
            {
                Skip(Number());
            }

            id = Byte();
        }

        if (id == AdditionalStreamsInfo)
        {
            StreamsInfo();
            id = Byte();
        }

        if (id == MainStreamsInfo)
        {
            StreamsInfo();
            id = Byte();
        }

        return id == FilesInfo ? Files(maxFiles) : [];
    }

    private List<string> Files(int maxFiles)
    {
        var count = Count();
        if (count > maxFiles + 1)
        {
            // More than the limit lets through: the caller reports a bomb from the count alone.
            return [.. Enumerable.Repeat(string.Empty, maxFiles + 1)];
        }

        bool[]? emptyStream = null;
        bool[]? emptyFile = null;
        var names = new List<string>();
        while (true)
        {
            var type = Number();
            if (type == End)
            {
                break;
            }

            var size = Count();
            var next = _at + size;
            switch (type)
            {
                case EmptyStream:
                    emptyStream = Bits(count);
                    break;
                case EmptyFile:
                    emptyFile = Bits(emptyStream?.Count(b => b) ?? 0);
                    break;
                case Name when size > 0 && _data[_at] == 0:
                    // Not "external": UTF-16 names, each ended by a NUL, in file order.
                    var parts = Encoding.Unicode.GetString(_data, _at + 1, (size - 1) & ~1).Split('\0');
                    names.AddRange(parts.Take(Math.Min(count, parts.Length - 1)));
                    break;
            }

            _at = next;
        }

        // An empty stream that is not an empty file is a directory.
        var files = new List<string>();
        var empty = 0;
        for (var i = 0; i < names.Count; i++)
        {
            var isEmptyStream = emptyStream is not null && i < emptyStream.Length && emptyStream[i];
            var isDirectory = isEmptyStream && !(emptyFile is not null && empty < emptyFile.Length && emptyFile[empty]);
            empty += isEmptyStream ? 1 : 0;
            if (!isDirectory)
            {
                files.Add(names[i]);
            }
        }

        return files;
    }

    private void StreamsInfo()
    {
        var folderOutputs = new List<int>();
        bool[]? folderCrcs = null;
        while (true)
        {
            var id = Byte();
            switch (id)
            {
                case End:
                    return;
                case PackInfo:
                    Number();
                    var packStreams = Count();
                    for (var id2 = Byte(); id2 != End; id2 = Byte())
                    {
                        if (id2 == Size)
                        {
                            Numbers(packStreams);
                        }
                        else if (id2 == Crc)
                        {
                            Digests(packStreams);
                        }
                        else
                        {
                            throw new InvalidDataException("unknown 7z pack info record");
                        }
                    }

                    break;
                case UnpackInfo:
                    Expect(Folder);
                    var folders = Count();
                    if (Byte() != 0)
                    {
                        throw new InvalidDataException("7z folders kept outside the header");
                    }

                    for (var f = 0; f < folders; f++)
                    {
                        folderOutputs.Add(FolderRecord());
                    }

                    Expect(CodersUnpackSize);
                    foreach (var outputs in folderOutputs)
                    {
                        Numbers(outputs);
                    }

                    for (var id2 = Byte(); id2 != End; id2 = Byte())
                    {
                        folderCrcs = id2 == Crc ? Digests(folders) : throw new InvalidDataException("unknown 7z unpack info record");
                    }

                    break;
                case SubStreamsInfo:
                    SubStreams(folderOutputs.Count, folderCrcs);
                    break;
                default:
                    throw new InvalidDataException("unknown 7z streams info record");
            }
        }
    }

    /// <summary>One folder's coders; returns how many output streams it has (each gets an unpack size).</summary>
    private int FolderRecord()
    {
        var coders = Count();
        long inputs = 0;
        long outputs = 0;
        for (var c = 0; c < coders; c++)
        {
            var flags = Byte();
            Skip(flags & 0x0F);
            if ((flags & 0x10) != 0)
            {
                inputs += Count();
                outputs += Count();
            }
            else
            {
                inputs++;
                outputs++;
            }

            if ((flags & 0x20) != 0)
            {
                Skip(Count());
            }
        }

        if (outputs > _data.Length || inputs > _data.Length || outputs == 0)
        {
            throw new InvalidDataException("7z folder with impossible stream counts");
        }

        var bindPairs = (int)outputs - 1;
        Numbers(bindPairs * 2);
        var packed = (int)inputs - bindPairs;
        if (packed > 1)
        {
            Numbers(packed);
        }

        return (int)outputs;
    }

    private void SubStreams(int folders, bool[]? folderCrcs)
    {
        var streams = Enumerable.Repeat(1, folders).ToArray();
        var id = Byte();
        if (id == NumUnpackStream)
        {
            for (var f = 0; f < folders; f++)
            {
                streams[f] = Count();
            }

            id = Byte();
        }

        if (id == Size)
        {
            foreach (var n in streams)
            {
                Numbers(Math.Max(0, n - 1));
            }

            id = Byte();
        }

        var withoutCrc = 0;
        for (var f = 0; f < folders; f++)
        {
            withoutCrc += streams[f] == 1 && folderCrcs is not null && f < folderCrcs.Length && folderCrcs[f] ? 0 : streams[f];
        }

        for (; id != End; id = Byte())
        {
            _ = id == Crc ? Digests(withoutCrc) : throw new InvalidDataException("unknown 7z sub-streams record");
        }
    }

    private bool[] Digests(int count)
    {
        var defined = Byte() != 0 ? Enumerable.Repeat(true, count).ToArray() : Bits(count);
        Skip(4 * defined.Count(d => d));
        return defined;
    }

    private bool[] Bits(int count)
    {
        Need((count + 7) / 8);
        var bits = new bool[count];
        for (var i = 0; i < count; i++)
        {
            bits[i] = (_data[_at + (i / 8)] & (0x80 >> (i % 8))) != 0;
        }

        _at += (count + 7) / 8;
        return bits;
    }

    private void Numbers(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Number();
        }
    }

    private void Expect(byte id)
    {
        if (Byte() != id)
        {
            throw new InvalidDataException("7z header record out of order");
        }
    }

    /// <summary>A count of things that each take at least one octet of what is left, so no larger than that.</summary>
    private int Count()
    {
        var n = Number();
        return n <= (ulong)(_data.Length - _at) ? (int)n : throw new InvalidDataException("7z count larger than its header");
    }

    private void Skip(ulong count)
    {
        Need(count > int.MaxValue ? int.MaxValue : (int)count);
        _at += (int)count;
    }

    private void Skip(int count) => Skip((ulong)count);

    private byte Byte()
    {
        Need(1);
        return _data[_at++];
    }

    /// <summary>7z's numbers: the leading one bits of the first octet say how many octets follow (low first).</summary>
    private ulong Number()
    {
        var first = Byte();
        ulong value = 0;
        var mask = 0x80;
        for (var i = 0; i < 8; i++)
        {
            if ((first & mask) == 0)
            {
                return value | ((ulong)(first & (mask - 1)) << (8 * i));
            }

            value |= (ulong)Byte() << (8 * i);
            mask >>= 1;
        }

        return value;
    }

    private void Need(int count)
    {
        if (count < 0 || count > _data.Length - _at)
        {
            throw new InvalidDataException("7z header cut short");
        }
    }
}
