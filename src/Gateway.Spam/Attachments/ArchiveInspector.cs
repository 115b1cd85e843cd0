using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.Compression;

namespace Gateway.Spam.Attachments;

/// <summary>
/// Looks into zip archives, gzip files and tar archives (and archives inside them, down to
/// <see cref="AttachmentLimits.ArchiveDepth"/>) without
/// trusting what they claim: the member count is read before the directory is listed, the members' declared sizes
/// are summed against <see cref="AttachmentLimits.MaxExpanded"/> and their compression ratio checked before anything
/// is inflated, and what is inflated (each member's first octets, nested archives whole) is counted as it comes, so a
/// member that lies about its size is stopped at the same budget. A gzip has no directory to check first: it is
/// inflated as a stream through the same budget, its ratio checked at the end, and only a zip inside it is buffered.
/// </summary>
internal sealed class ArchiveInspector(AttachmentLimits limits, AttachmentScan scan, CancellationToken cancellationToken)
{
    /// <summary>
    /// Lists the zip in <paramref name="zip"/> (a seekable stream) found at <paramref name="path"/>, which is
    /// archive level <paramref name="level"/> (1 for a zip attached to the message). Returns the archive's own
    /// type: zip, or what it really is (Office Open XML, with macros, a Java archive).
    /// </summary>
    public FileType InspectZip(Stream zip, string path, int level)
    {
        if (scan.HasBomb)
        {
            return FileType.Zip;
        }

        if (level > limits.ArchiveDepth)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.TooDeep, path, Invariant($"archive nested deeper than {limits.ArchiveDepth} level(s)")));
            return FileType.Zip;
        }

        var count = ZipDirectory.EntryCount(zip);
        if (count is null)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "no zip central directory"));
            return FileType.Zip;
        }

        if (scan.ArchiveEntries + count.Value > limits.MaxEntries)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, Invariant($"{scan.ArchiveEntries + count.Value} archive members, more than {limits.MaxEntries}")));
            return FileType.Zip;
        }

        zip.Position = 0;
        try
        {
            using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
            var entries = archive.Entries;
            scan.ArchiveEntries += entries.Count;
            if (scan.ArchiveEntries > limits.MaxEntries)
            {
                // The directory listed more than its end record said: judged by what is there.
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, Invariant($"{scan.ArchiveEntries} archive members, more than {limits.MaxEntries}")));
                return FileType.Zip;
            }

            var type = Refine(entries);
            if (IsBomb(entries, path))
            {
                return type;
            }

            if (type == FileType.Ooxml && DeclaresMacros(entries, path))
            {
                type = FileType.OfficeMacro;
            }

            foreach (var entry in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (scan.HasBomb)
                {
                    break;
                }

                if (entry.FullName.EndsWith('/') && entry.Length == 0)
                {
                    continue;
                }

                Inspect(entry, path + "/" + entry.FullName, level);
            }

            return type;
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or EndOfStreamException or IOException)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "damaged or unsupported zip: " + ex.Message));
            return FileType.Zip;
        }
    }

    /// <summary>Office documents and Java archives are zips; their members say which they are.</summary>
    private static FileType Refine(IReadOnlyCollection<ZipArchiveEntry> entries)
    {
        var names = entries.Select(e => e.FullName).ToList();
        if (names.Contains("[Content_Types].xml", StringComparer.OrdinalIgnoreCase))
        {
            return names.Any(n => n.EndsWith("vbaProject.bin", StringComparison.OrdinalIgnoreCase)) ? FileType.OfficeMacro : FileType.Ooxml;
        }

        if (names.Contains("META-INF/MANIFEST.MF", StringComparer.OrdinalIgnoreCase) && names.Any(n => n.EndsWith(".class", StringComparison.OrdinalIgnoreCase)))
        {
            return FileType.Jar;
        }

        return FileType.Zip;
    }

    /// <summary>
    /// Whether the package parts of an Office document declare macros under whatever part name
    /// (<see cref="OfficeMacroDeclarations"/>). Read through the inflation budget, at most
    /// <see cref="OfficeMacroDeclarations.MaxLength"/> octets in all; more is no document Office makes, and is
    /// reported as unreadable rather than trusted.
    /// </summary>
    private bool DeclaresMacros(IReadOnlyCollection<ZipArchiveEntry> entries, string path)
    {
        var left = OfficeMacroDeclarations.MaxLength;
        foreach (var entry in entries)
        {
            if (!entry.FullName.Equals("[Content_Types].xml", StringComparison.OrdinalIgnoreCase)
                && !entry.FullName.EndsWith(".rels", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (entry.IsEncrypted)
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "encrypted Office package part " + FileNames.Display(entry.FullName)));
                return false;
            }

            using var content = entry.Open();
            var part = new byte[Math.Min(left + 1, Math.Max(entry.Length, 0) + 1)];
            var read = ReadCounted(content, part);
            if (read > left || (read == part.Length && content.ReadByte() >= 0))
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, Invariant($"Office package parts larger than {OfficeMacroDeclarations.MaxLength} octets")));
                return false;
            }

            left -= read;
            if (OfficeMacroDeclarations.Mention(part.AsSpan(0, read)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The claims alone, before anything is inflated: the total budget and the compression ratio.</summary>
    private bool IsBomb(IReadOnlyCollection<ZipArchiveEntry> entries, string path)
    {
        long claimed = 0;
        long compressed = 0;
        foreach (var entry in entries)
        {
            claimed = SaturatingAdd(claimed, entry.Length);
            compressed = SaturatingAdd(compressed, entry.CompressedLength);
        }

        scan.ClaimedBytes = SaturatingAdd(scan.ClaimedBytes, claimed);
        if (scan.ClaimedBytes > limits.MaxExpanded)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, Invariant($"archives claim {scan.ClaimedBytes} octets uncompressed, more than {limits.MaxExpanded}")));
            return true;
        }

        if (claimed >= limits.RatioFloor && claimed > limits.MaxRatio * Math.Max(1, compressed))
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, Invariant($"compression ratio {claimed / Math.Max(1, compressed)}:1, more than {limits.MaxRatio}:1")));
            return true;
        }

        return false;
    }

    private void Inspect(ZipArchiveEntry entry, string path, int level)
    {
        if (entry.IsEncrypted)
        {
            // The content cannot be read: its name is all there is.
            scan.Files.Add(new ScannedFile(path, entry.FullName, FileSignatures.ByName(FileNames.Saved(entry.FullName)), Encrypted: true, level));
            return;
        }

        try
        {
            using var content = entry.Open();
            var head = new byte[FileSignatures.HeadLength];
            var read = ReadCounted(content, head);
            var type = FileSignatures.Detect(head.AsSpan(0, read), FileNames.Saved(entry.FullName));
            if (IsDiskImageName(FileNames.Saved(entry.FullName)))
            {
                // Mounted by its name, whatever its first octets say.
                type = NestedDiskImage(content, head.AsSpan(0, read), path, level + 1, type, counted: false);
            }
            else if (type == FileType.Zip)
            {
                type = Nested(content, head.AsSpan(0, read), path, level + 1);
            }
            else if (IsOpenedWhole(type))
            {
                type = NestedSeekable(type, content, head.AsSpan(0, read), path, level + 1);
            }
            else if (type is null && FileSignatures.Extension(FileNames.Saved(entry.FullName)) is ".rar")
            {
                // A RAR after other octets (a self-extractor's stub) is found as RAR readers find it.
                type = NestedSeekable(FileType.Rar, content, head.AsSpan(0, read), path, level + 1);
            }
            else if (type == FileType.Gzip)
            {
                // The octets already read were counted as inflated by the zip, and so is the rest of the member as the
                // gzip reader pulls it (a member of empty gzip members padded with header fields inflates nothing
                // itself); the gzip's own output is counted as it inflates.
                using var gzip = new PrefixedStream(head.AsMemory(0, read), new CountedStream(content, scan, limits.MaxExpanded));
                type = InspectGzip(gzip, path, level + 1, entry.CompressedLength);
            }

            scan.Files.Add(new ScannedFile(path, entry.FullName, type, Encrypted: false, level));
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or EndOfStreamException or IOException)
        {
            scan.Files.Add(new ScannedFile(path, entry.FullName, FileSignatures.Detect([], FileNames.Saved(entry.FullName)), Encrypted: false, level));
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "archive member does not inflate: " + ex.Message));
        }
    }

    /// <summary>
    /// A zip inside an archive: inflated whole into a buffer, then looked into. What is read is counted against the
    /// budget here, unless <paramref name="counted"/> says the source counts it already (a gzip's content).
    /// </summary>
    private FileType Nested(Stream content, ReadOnlySpan<byte> head, string path, int level, bool counted = false)
    {
        if (level > limits.ArchiveDepth)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.TooDeep, path, Invariant($"archive nested deeper than {limits.ArchiveDepth} level(s)")));
            return FileType.Zip;
        }

        using var buffer = Buffered(content, head, path, counted);
        if (buffer is null)
        {
            return FileType.Zip;
        }

        using var nested = buffer.OpenRead();
        return InspectZip(nested, path, level);
    }

    /// <summary>
    /// Types read from a seekable copy of the whole file (what they hold is found by seeking): OLE compound files,
    /// RAR, 7z and cabinet archives, OneNote sections.
    /// </summary>
    public static bool IsOpenedWhole([NotNullWhen(true)] FileType? type) =>
        type == FileType.Ole || type == FileType.Rar || type == FileType.SevenZip || type == FileType.OneNote || type == FileType.Cab;

    /// <summary>
    /// An OLE file, a RAR or 7z archive or a OneNote section inside an archive: inflated into a buffer, then read as
    /// a part of that type is.
    /// </summary>
    private FileType NestedSeekable(FileType type, Stream content, ReadOnlySpan<byte> head, string path, int level, bool counted = false)
    {
        using var buffer = Buffered(content, head, path, counted);
        if (buffer is null)
        {
            return type;
        }

        using var file = buffer.OpenRead();
        return type == FileType.Rar ? InspectRar(file, path, level)
            : type == FileType.SevenZip ? InspectSevenZip(file, path, level)
            : type == FileType.OneNote ? InspectOneNote(file, path, level)
            : type == FileType.Cab ? InspectCab(file, path, level)
            : InspectOle(file, path);
    }

    /// <summary>
    /// Looks at the 7z archive in <paramref name="file"/> (seekable) at <paramref name="path"/>, whose members are at
    /// archive level <paramref name="level"/>, as far as its header shows it (<see cref="SevenZipHeader"/>): a plain
    /// header's members are checked by name like a RAR's (flagged when the archive's coders encrypt), and encrypted
    /// headers or members are reported unreadable.
    /// </summary>
    public FileType InspectSevenZip(Stream file, string path, int level)
    {
        try
        {
            var (encryption, names) = SevenZipHeader.Read(file, limits.MaxEntries - scan.ArchiveEntries);
            scan.ArchiveEntries += names?.Count ?? 0;
            if (scan.ArchiveEntries > limits.MaxEntries)
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, Invariant($"more than {limits.MaxEntries} archive members")));
                return FileType.SevenZip;
            }

            foreach (var name in names ?? [])
            {
                var saved = FileNames.Saved(name);
                scan.Files.Add(new ScannedFile(path + "/" + name, name, FileSignatures.ByName(saved), encryption == SevenZipHeader.Encryption.Members, level));
            }

            // Encrypted members are flagged one by one above; encrypted headers leave nothing to flag but the archive.
            if (encryption == SevenZipHeader.Encryption.Headers)
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "7z archive with encrypted headers (member names hidden)"));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "damaged 7z archive: " + ex.Message));
        }

        return FileType.SevenZip;
    }

    /// <summary>
    /// Names Windows mounts as a disk image on a double-click: optical and raw images, and virtual hard disks
    /// (.vhd, .vhdx), which hold NTFS or FAT and so are never ISO 9660: they are reported unreadable.
    /// </summary>
    public static bool IsDiskImageName(string? name) => FileSignatures.Extension(name) is ".iso" or ".img" or ".udf" or ".vhd" or ".vhdx";

    /// <summary>
    /// Looks into the disk image in <paramref name="file"/> (seekable) at <paramref name="path"/>, whose files are at
    /// archive level <paramref name="level"/>: an ISO 9660 image's files (the tree Windows shows) are typed from their
    /// first octets like archive members, archives and images among them opened one level down; each extent is read
    /// once however many records name it, and what is read counts against the inflation budget. Returns
    /// <see cref="FileType.Iso"/>, or null (nothing reported) when it is no ISO 9660 image: the caller says what an
    /// image of another file system is.
    /// </summary>
    public FileType? InspectIso(Stream file, string path, int level)
    {
        try
        {
            if (!IsoDirectory.IsIso(file))
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException)
        {
            return null;
        }

        if (level > limits.ArchiveDepth)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.TooDeep, path, Invariant($"archive nested deeper than {limits.ArchiveDepth} level(s)")));
            return FileType.Iso;
        }

        try
        {
            var listing = IsoDirectory.Read(file, limits.MaxEntries - scan.ArchiveEntries);
            scan.ArchiveEntries += listing.Files.Count;
            if (listing.TooMany || scan.ArchiveEntries > limits.MaxEntries)
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, Invariant($"more than {limits.MaxEntries} archive members")));
                return FileType.Iso;
            }

            var byExtent = new Dictionary<(long Offset, long Length), (FileType? Type, byte[] Head)>();

            // A file in several extents is joined by the reader: no one piece's first octets are the file's, so its
            // name is taken at its word as well (an executable split after one octet shows no "MZ").
            var pieces = listing.Files.Where(f => f.Continued).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var member in listing.Files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (scan.HasBomb)
                {
                    break;
                }

                var memberPath = path + "/" + member.Path;
                var name = FileNames.Saved(member.Path[(member.Path.LastIndexOf('/') + 1)..]);
                if (member.Offset + member.Length > file.Length)
                {
                    scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, memberPath, "ISO file lies outside the image"));
                    continue;
                }

                if (!byExtent.TryGetValue((member.Offset, member.Length), out var content))
                {
                    content = InspectExtent(file, member.Offset, member.Length, memberPath, name, level);
                    byExtent[(member.Offset, member.Length)] = content;
                }

                // What the content is stands; a script is known by each name it is given.
                var type = content.Type ?? FileSignatures.Detect(content.Head, name);
                if (type is null && pieces.Contains(member.Path))
                {
                    type = FileSignatures.ByName(name);
                }

                scan.Files.Add(new ScannedFile(memberPath, name, type, Encrypted: false, level));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "damaged ISO image: " + ex.Message));
        }

        return FileType.Iso;
    }

    /// <summary>
    /// The type of a file lying at <paramref name="offset"/> in <paramref name="image"/> (an ISO file, a file embedded
    /// in a OneNote section) from its content (null: none known), and its first octets; archives and images in it
    /// are opened one level down.
    /// </summary>
    private (FileType? Type, byte[] Head) InspectExtent(Stream image, long offset, long length, string memberPath, string? name, int level)
    {
        var head = new byte[(int)Math.Min(FileSignatures.HeadLength, length)];
        image.Position = offset;
        image.ReadExactly(head);
        scan.InflatedBytes += head.Length;
        var type = FileSignatures.Detect(head, null);
        var diskImage = IsDiskImageName(name);
        if (type == FileType.Zip || type == FileType.Gzip || IsOpenedWhole(type) || diskImage)
        {
            // The rest of the file, read from the image where it lies and counted like inflated octets.
            var rest = new CountedStream(new LimitedStream(image, length - head.Length), scan, limits.MaxExpanded);
            type = diskImage ? NestedDiskImage(rest, head, memberPath, level + 1, type)
                : type == FileType.Zip ? Nested(rest, head, memberPath, level + 1, counted: true)
                : type == FileType.Gzip ? InspectGzip(new PrefixedStream(head, rest), memberPath, level + 1, length)
                : NestedSeekable(type!, rest, head, memberPath, level + 1, counted: true);
        }

        return (type, head);
    }

    /// <summary>
    /// Looks into the OneNote section in <paramref name="file"/> (seekable) at <paramref name="path"/>, whose embedded
    /// files are at archive level <paramref name="level"/> (<see cref="OneNoteSection"/>): each embedded file is typed
    /// from its first octets like an archive member ("path/embedded file 1"), archives and sections in it opened one
    /// level down, and each name a file was embedded under that Windows runs by (".hta", "setup.exe") is checked as
    /// well, since OneNote opens the file by that name whatever its octets say.
    /// </summary>
    public FileType InspectOneNote(Stream file, string path, int level)
    {
        if (level > limits.ArchiveDepth)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.TooDeep, path, Invariant($"archive nested deeper than {limits.ArchiveDepth} level(s)")));
            return FileType.OneNote;
        }

        try
        {
            var listing = OneNoteSection.Read(file, limits.MaxEntries - scan.ArchiveEntries, cancellationToken);
            scan.ArchiveEntries += listing.Files.Count + listing.Names.Count;
            if (listing.TooMany || scan.ArchiveEntries > limits.MaxEntries)
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, listing.Flood ?? Invariant($"more than {limits.MaxEntries} archive members")));
                return FileType.OneNote;
            }

            foreach (var name in listing.Names)
            {
                scan.Files.Add(new ScannedFile(path + "/" + name, name, FileSignatures.ByName(FileNames.Saved(name)), Encrypted: false, level));
            }

            for (var i = 0; i < listing.Files.Count && !scan.HasBomb; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var memberPath = path + "/" + Invariant($"embedded file {i + 1}");
                var (type, _) = InspectExtent(file, listing.Files[i].Offset, listing.Files[i].Length, memberPath, null, level);
                scan.Files.Add(new ScannedFile(memberPath, null, type, Encrypted: false, level));
            }

            if (listing.Damage is { } damage)
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "damaged OneNote section: " + damage));
            }
        }
        catch (BudgetExceededException ex)
        {
            if (!scan.HasBomb)
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, ex.Message));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "damaged OneNote section: " + ex.Message));
        }

        return FileType.OneNote;
    }

    /// <summary>
    /// A file named as a disk image inside an archive or image: buffered and looked into as one; when it holds no
    /// ISO 9660 file system it is <paramref name="otherwise"/> (its type by content), reported unreadable if none.
    /// </summary>
    private FileType? NestedDiskImage(Stream content, ReadOnlySpan<byte> head, string path, int level, FileType? otherwise, bool counted = true)
    {
        using var buffer = Buffered(content, head, path, counted);
        if (buffer is null)
        {
            return otherwise;
        }

        using var file = buffer.OpenRead();
        var image = InspectIso(file, path, level);
        if (image is null && otherwise is null)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "disk image without an ISO 9660 file system"));
        }

        return image ?? otherwise;
    }

    /// <summary>
    /// Lists the RAR archive in <paramref name="file"/> (seekable) at <paramref name="path"/>, whose members are at
    /// archive level <paramref name="level"/>: each is typed by its name (<see cref="FileSignatures.ByName"/>), as its
    /// content is not unpacked, and flagged when encrypted; encrypted headers (no names to read) and a damaged archive
    /// are reported unreadable, more members than the limit a bomb.
    /// </summary>
    public FileType InspectRar(Stream file, string path, int level) =>
        InspectListing(FileType.Rar, "RAR archive", path, level, members => RarDirectory.Read(file, limits.MaxEntries - scan.ArchiveEntries, members));

    /// <summary>
    /// Lists the cabinet in <paramref name="file"/> (seekable) at <paramref name="path"/>, whose members are at archive
    /// level <paramref name="level"/> (<see cref="CabDirectory"/>): each is typed by its name, as nothing is
    /// decompressed; a damaged cabinet is reported unreadable (the names read before the damage still checked),
    /// more members than the limit a bomb.
    /// </summary>
    public FileType InspectCab(Stream file, string path, int level) =>
        InspectListing(FileType.Cab, "cabinet", path, level, members =>
        {
            CabDirectory.Read(file, limits.MaxEntries - scan.ArchiveEntries, members);
            return false;
        });

    /// <summary>
    /// An archive listed from its headers, not unpacked (<paramref name="read"/> fills the members and says whether
    /// the headers are encrypted): each member typed by its name and flagged when encrypted; a damaged archive keeps
    /// the members listed before the damage and is reported unreadable, like one whose names are encrypted.
    /// </summary>
    private FileType InspectListing(FileType type, string kind, string path, int level, Func<List<ListedMember>, bool> read)
    {
        if (level > limits.ArchiveDepth)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.TooDeep, path, Invariant($"archive nested deeper than {limits.ArchiveDepth} level(s)")));
            return type;
        }

        var members = new List<ListedMember>();
        string? damage = null;
        var headersEncrypted = false;
        try
        {
            headersEncrypted = read(members);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException)
        {
            // What was listed before the damage is still checked.
            damage = ex.Message;
        }

        scan.ArchiveEntries += members.Count;
        if (scan.ArchiveEntries > limits.MaxEntries)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, Invariant($"more than {limits.MaxEntries} archive members")));
            return type;
        }

        foreach (var member in members)
        {
            scan.Files.Add(new ScannedFile(path + "/" + member.Name, member.Name, FileSignatures.ByName(FileNames.Saved(member.Name)), member.Encrypted, level));
            if (member.OtherName is { } other)
            {
                scan.Files.Add(new ScannedFile(path + "/" + other, other, FileSignatures.ByName(FileNames.Saved(other)), member.Encrypted, level));
            }
        }

        if (headersEncrypted)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, kind + " with encrypted headers (member names hidden)"));
        }

        if (damage is not null)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "damaged " + kind + ": " + damage));
        }

        return type;
    }

    /// <summary>
    /// The rest of <paramref name="content"/> after <paramref name="head"/>, kept for seeking; null (and a bomb
    /// reported) when inflating it passes the budget.
    /// </summary>
    private SpillBuffer? Buffered(Stream content, ReadOnlySpan<byte> head, string path, bool counted)
    {
        var buffer = new SpillBuffer(limits.MemoryBuffer);
        buffer.Write(head);
        var chunk = new byte[64 * 1024];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = counted ? content.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false) : ReadCounted(content, chunk);
            if (read == 0)
            {
                return buffer;
            }

            if (scan.InflatedBytes > limits.MaxExpanded)
            {
                buffer.Dispose();
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, Invariant($"inflating archives passed {limits.MaxExpanded} octets")));
                return null;
            }

            buffer.Write(chunk.AsSpan(0, read));
        }
    }

    /// <summary>
    /// An OLE compound file (.doc, .xls) as a seekable stream: <see cref="FileType.OfficeMacro"/> when its directory
    /// holds a VBA project or its workbook declares an Excel 4.0 macro sheet, else <see cref="FileType.Ole"/>; a
    /// damaged one, and a password-encrypted workbook (whose sheet kinds are hidden), are reported unreadable.
    /// </summary>
    public FileType InspectOle(Stream file, string path)
    {
        try
        {
            switch (CompoundFile.Find(file))
            {
                case CompoundFile.Macros.Present:
                    return FileType.OfficeMacro;
                case CompoundFile.Macros.EncryptedWorkbook:
                    scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "password-encrypted Excel workbook: its macro sheets cannot be checked"));
                    return FileType.Ole;
                case CompoundFile.Macros.PresentationTooLarge:
                    scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, Invariant($"PowerPoint document stream larger than {CompoundFile.MaxPresentationRead} octets: not searched for macros")));
                    return FileType.Ole;
                default:
                    return FileType.Ole;
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "damaged OLE compound file: " + ex.Message));
            return FileType.Ole;
        }
    }

    /// <summary>
    /// Looks into the gzip in <paramref name="compressed"/> at <paramref name="path"/> (archive level
    /// <paramref name="level"/>): the file it holds is typed from its first octets and named after the gzip's name
    /// without ".gz" (".tgz" holds a ".tar"); a tar's members are typed one by one, a zip or gzip inside is opened
    /// one level down. Everything is inflated through the budget, so a bomb is found whatever it claims.
    /// </summary>
    public FileType InspectGzip(Stream compressed, string path, int level, long? compressedLength)
    {
        if (scan.HasBomb)
        {
            return FileType.Gzip;
        }

        if (level > limits.ArchiveDepth)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.TooDeep, path, Invariant($"archive nested deeper than {limits.ArchiveDepth} level(s)")));
            return FileType.Gzip;
        }

        var before = scan.InflatedBytes;
        try
        {
            // The header is read ahead for the name it may store, then handed to the inflater with the rest.
            var header = new byte[GzipHeader.MaxLength];
            var headerLength = compressed.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            var nameState = GzipHeader.TryReadName(header.AsSpan(0, headerLength), out var storedName);
            if (nameState == GzipHeader.NameState.TooLong)
            {
                // The content is still inflated and typed below; only the name it would be saved under is unknown.
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, Invariant($"gzip header longer than {GzipHeader.MaxLength} octets")));
            }

            using var gzip = new GZipStream(new PrefixedStream(header.AsMemory(0, headerLength), compressed), CompressionMode.Decompress, leaveOpen: true);
            var content = new CountedStream(gzip, scan, limits.MaxExpanded);
            var head = new byte[FileSignatures.HeadLength];
            var read = content.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var name = InnerName(path);
            var memberPath = path + "/" + name;
            scan.ArchiveEntries += 1;
            FileType? type;
            if (IsTar(head.AsSpan(0, read)))
            {
                using var tar = new PrefixedStream(head.AsMemory(0, read), content);
                InspectTar(tar, path, level);

                // A tar has no type of its own, but what the names say still counts: "run.js.gz" holding octets that
                // also read as a tar header is a script to whoever saves it.
                type = FileSignatures.Detect(head.AsSpan(0, read), name);
            }
            else
            {
                type = FileSignatures.Detect(head.AsSpan(0, read), name);
                if (type == FileType.Zip)
                {
                    type = Nested(content, head.AsSpan(0, read), memberPath, level + 1, counted: true);
                }
                else if (IsOpenedWhole(type))
                {
                    type = NestedSeekable(type, content, head.AsSpan(0, read), memberPath, level + 1, counted: true);
                }
                else if (type == FileType.Gzip)
                {
                    using var inner = new PrefixedStream(head.AsMemory(0, read), content);
                    type = InspectGzip(inner, memberPath, level + 1, compressedLength: null);
                }
            }

            scan.Files.Add(new ScannedFile(memberPath, name, type, Encrypted: false, level));

            // Extracted under the name the gzip stores, the file is that too: both names are checked.
            if (storedName is not null && !string.Equals(storedName, name, StringComparison.OrdinalIgnoreCase))
            {
                // The content's own type (and what opening it found) stands; only a type read from the name differs.
                var storedType = FileSignatures.Detect(head.AsSpan(0, read), storedName);
                var byContent = FileSignatures.Detect(head.AsSpan(0, read), name);
                scan.Files.Add(new ScannedFile(path + "/" + storedName, storedName, storedType == byContent ? type : storedType, Encrypted: false, level));
            }

            // The rest is inflated and dropped: only then are the size and the ratio known.
            content.CopyTo(Stream.Null);
            var inflated = scan.InflatedBytes - before;
            if (compressedLength is > 0 and var length && inflated >= limits.RatioFloor && inflated / (double)length > limits.MaxRatio)
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, Invariant($"compression ratio {inflated / length}:1, more than {limits.MaxRatio}:1")));
            }
        }
        catch (BudgetExceededException ex)
        {
            // Whichever reader ran into the budget (a tar walk, a nested zip's buffer, the drain), it is a bomb; an
            // inner gzip that found it already said so.
            if (!scan.HasBomb)
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, ex.Message));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or EndOfStreamException or IOException or FormatException)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "damaged gzip or tar: " + ex.Message));
        }

        return FileType.Gzip;
    }

    /// <summary>The members of a tar (read as a stream, as it comes out of its gzip), typed at <paramref name="level"/>.</summary>
    private void InspectTar(Stream tar, string path, int level)
    {
        using var reader = new UstarReader(tar);
        while (reader.Next() is { } member)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (scan.HasBomb)
            {
                return;
            }

            if (++scan.ArchiveEntries > limits.MaxEntries)
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, Invariant($"more than {limits.MaxEntries} archive members")));
                return;
            }

            if (!member.IsFile)
            {
                continue;
            }

            var memberPath = path + "/" + member.Name;
            var head = new byte[FileSignatures.HeadLength];
            var read = member.Data.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var type = FileSignatures.Detect(head.AsSpan(0, read), member.Name);
            if (type == FileType.Zip)
            {
                type = Nested(member.Data, head.AsSpan(0, read), memberPath, level + 1, counted: true);
            }
            else if (IsOpenedWhole(type))
            {
                type = NestedSeekable(type, member.Data, head.AsSpan(0, read), memberPath, level + 1, counted: true);
            }
            else if (type == FileType.Gzip)
            {
                using var inner = new PrefixedStream(head.AsMemory(0, read), member.Data);
                type = InspectGzip(inner, memberPath, level + 1, member.Size);
            }

            scan.Files.Add(new ScannedFile(memberPath, member.Name, type, Encrypted: false, level));
        }
    }

    /// <summary>
    /// Looks into a tar attached as it is (not compressed) at <paramref name="path"/>: its members are typed, a zip or
    /// gzip among them opened one level down. Returns null (a tar is no type a policy names).
    /// </summary>
    public FileType? InspectTar(Stream tar, string path)
    {
        try
        {
            InspectTar(tar, path, 1);
        }
        catch (BudgetExceededException ex)
        {
            if (!scan.HasBomb)
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, ex.Message));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or EndOfStreamException or IOException or FormatException)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "damaged tar: " + ex.Message));
        }

        return null;
    }

    /// <summary>A tar, ustar or Unix v7 (see <see cref="UstarReader.StartsWithHeader"/>).</summary>
    public static bool IsTar(ReadOnlySpan<byte> head) => UstarReader.StartsWithHeader(head);

    /// <summary>"a.exe.gz" holds "a.exe", "a.tgz" holds "a.tar"; a gzip of any other name holds its name without the extension.</summary>
    private static string InnerName(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        if (name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase))
        {
            return name[..^4] + ".tar";
        }

        foreach (var extension in (ReadOnlySpan<string>)[".gz", ".gzip", ".z"])
        {
            if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase) && name.Length > extension.Length)
            {
                return name[..^extension.Length];
            }
        }

        return name;
    }

    private int ReadCounted(Stream content, byte[] into)
    {
        var read = content.ReadAtLeast(into, into.Length, throwOnEndOfStream: false);
        scan.InflatedBytes += read;
        return read;
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
