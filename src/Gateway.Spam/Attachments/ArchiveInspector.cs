using System.Globalization;
using System.IO.Compression;

namespace Gateway.Spam.Attachments;

/// <summary>
/// Looks into zip archives (and zips inside them, down to <see cref="AttachmentLimits.ArchiveDepth"/>) without
/// trusting what they claim: the member count is read before the directory is listed, the members' declared sizes
/// are summed against <see cref="AttachmentLimits.MaxExpanded"/> and their compression ratio checked before anything
/// is inflated, and what is inflated (each member's first octets, nested archives whole) is counted as it comes, so a
/// member that lies about its size is stopped at the same budget.
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
            var type = Refine(entries);
            if (IsBomb(entries, path))
            {
                return type;
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
            scan.Files.Add(new ScannedFile(path, entry.FullName, FileSignatures.Detect([], entry.FullName), Encrypted: true, level));
            return;
        }

        try
        {
            using var content = entry.Open();
            var head = new byte[FileSignatures.HeadLength];
            var read = ReadCounted(content, head);
            var type = FileSignatures.Detect(head.AsSpan(0, read), entry.FullName);
            if (type == FileType.Zip)
            {
                type = Nested(content, head.AsSpan(0, read), path, level + 1);
            }

            scan.Files.Add(new ScannedFile(path, entry.FullName, type, Encrypted: false, level));
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or EndOfStreamException or IOException)
        {
            scan.Files.Add(new ScannedFile(path, entry.FullName, FileSignatures.Detect([], entry.FullName), Encrypted: false, level));
            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "archive member does not inflate: " + ex.Message));
        }
    }

    /// <summary>A zip inside a zip: inflated whole (counted against the budget) into a buffer, then looked into.</summary>
    private FileType Nested(Stream content, ReadOnlySpan<byte> head, string path, int level)
    {
        if (level > limits.ArchiveDepth)
        {
            scan.Issues.Add(new ScanIssue(ScanIssueKind.TooDeep, path, Invariant($"archive nested deeper than {limits.ArchiveDepth} level(s)")));
            return FileType.Zip;
        }

        using var buffer = new SpillBuffer(limits.MemoryBuffer);
        buffer.Write(head);
        var chunk = new byte[64 * 1024];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = ReadCounted(content, chunk);
            if (read == 0)
            {
                break;
            }

            if (scan.InflatedBytes > limits.MaxExpanded)
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, Invariant($"inflating archives passed {limits.MaxExpanded} octets")));
                return FileType.Zip;
            }

            buffer.Write(chunk.AsSpan(0, read));
        }

        using var nested = buffer.OpenRead();
        return InspectZip(nested, path, level);
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
