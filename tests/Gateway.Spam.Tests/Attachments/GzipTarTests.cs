using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Gateway.Spam.Attachments;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>gzip and tar attachments: what they hold is typed like a zip's members, and a gzip bomb stops at the budget.</summary>
public sealed class GzipTarTests
{
    private static readonly byte[] Pe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0];

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    private static byte[] GzippedZeros(long length)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var left = length; left > 0; left -= zeros.Length)
            {
                gzip.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
            }
        }

        return output.ToArray();
    }

    private static byte[] Tar(params (string Name, byte[] Content)[] entries)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "bin/"));
            foreach (var (name, content) in entries)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            }
        }

        return output.ToArray();
    }

    [Fact]
    public async Task An_executable_in_a_gzip_is_found_by_its_content_and_named_without_gz()
    {
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("invoice.pdf.gz", Gzip(Pe))));

        Assert.Equal(FileType.Gzip, scan.Files.Single(f => f.Depth == 0).Type);
        var inner = scan.Files.Single(f => f.Depth == 1);
        Assert.Equal("invoice.pdf.gz/invoice.pdf", inner.Path);
        Assert.Equal(FileType.Pe, inner.Type);
        Assert.Empty(scan.Issues);
    }

    /// <summary>A gzip whose header is given (flags and the fields after the fixed ten octets) before the deflated content.</summary>
    private static byte[] GzipWithHeader(byte flags, byte[] fields, byte[] content)
    {
        var plain = Gzip(content);
        byte[] fixedPart = [0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3];
        return [.. fixedPart, .. fields, .. plain.AsSpan(10)];
    }

    [Theory]
    [InlineData("v7")]
    [InlineData("gnu-v7")]
    public async Task A_v7_tar_without_the_ustar_magic_is_walked_whatever_it_is_called(string writer)
    {
        byte[] tar;
        if (writer == "v7")
        {
            using var o = new MemoryStream();
            using (var w = new TarWriter(o, TarEntryFormat.V7, leaveOpen: true))
            {
                w.WriteEntry(new V7TarEntry(TarEntryType.V7RegularFile, "setup") { DataStream = new MemoryStream(Pe) });
            }

            tar = o.ToArray();
        }
        else
        {
            // GNU tar's own v7 writer, as an old system would make the archive.
            var directory = Directory.CreateTempSubdirectory("gw-v7tar");
            try
            {
                File.WriteAllBytes(Path.Combine(directory.FullName, "setup"), Pe);
                using var process = Process.Start(new ProcessStartInfo("tar", ["--format=v7", "-cf", "out.tar", "setup"]) { WorkingDirectory = directory.FullName })!;
                await process.WaitForExitAsync();
                Assert.Equal(0, process.ExitCode);
                tar = File.ReadAllBytes(Path.Combine(directory.FullName, "out.tar"));
            }
            finally
            {
                directory.Delete(recursive: true);
            }
        }

        Assert.False(tar.AsSpan(257, 5).SequenceEqual("ustar"u8));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("backup.dat", tar)));

        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "backup.dat/setup").Type);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public void Text_and_random_octets_are_not_taken_for_a_v7_tar()
    {
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("Dear customer, please find the invoice. ", 20)));
        var random = new byte[1024];
        new Random(7).NextBytes(random);

        Assert.False(ArchiveInspector.IsTar(text));
        Assert.False(ArchiveInspector.IsTar(random));
    }

    [Fact]
    public async Task A_script_under_the_name_a_gzip_stores_is_found_as_gzip_made_it()
    {
        // Debian's gzip stores the file's name (FNAME) by default; 7-Zip and Windows save the content under it.
        var directory = Directory.CreateTempSubdirectory("gw-gzipname");
        try
        {
            var script = Path.Combine(directory.FullName, "invoice.js");
            File.WriteAllText(script, "WScript.Shell.Run('calc');\n");
            var info = new ProcessStartInfo("gzip", ["-c", "invoice.js"]) { WorkingDirectory = directory.FullName, RedirectStandardOutput = true };
            using var gzip = Process.Start(info)!;
            using var output = new MemoryStream();
            await gzip.StandardOutput.BaseStream.CopyToAsync(output);
            await gzip.WaitForExitAsync();
            Assert.Equal(0, gzip.ExitCode);

            var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("invoice.txt.gz", output.ToArray())));

            Assert.Null(scan.Files.Single(f => f.Path == "invoice.txt.gz/invoice.txt").Type);
            var stored = scan.Files.Single(f => f.Path == "invoice.txt.gz/invoice.js");
            Assert.Equal((FileType.Script, "invoice.js", 1), (stored.Type, stored.Name, stored.Depth));
            Assert.Empty(scan.Issues);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_stored_name_after_an_extra_field_loses_its_directories()
    {
        byte[] fields = [4, 0, (byte)'A', (byte)'B', 2, 0, .. "C:\\Temp\\run.vbs"u8, 0];

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("notes.gz", GzipWithHeader(0x04 | 0x08, fields, "MsgBox 1"u8.ToArray()))));

        Assert.Equal(FileType.Script, scan.Files.Single(f => f.Name == "run.vbs").Type);
        Assert.Null(scan.Files.Single(f => f.Name == "notes").Type);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task A_stored_name_equal_to_the_derived_one_is_listed_once()
    {
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("setup.exe.gz", GzipWithHeader(0x08, [.. "SETUP.EXE"u8, 0], Pe))));

        Assert.Equal(FileType.Pe, Assert.Single(scan.Files, f => f.Depth == 1).Type);
    }

    [Fact]
    public async Task A_script_whose_first_octets_read_as_a_tar_header_is_still_a_script()
    {
        // Printable JScript: a comment that is also a valid v7 tar header (octal size, type '0', checksum).
        var header = Enumerable.Repeat((byte)' ', 512).ToArray();
        Encoding.ASCII.GetBytes("/*" + new string('a', 98)).CopyTo(header, 0);
        Encoding.ASCII.GetBytes("00000001000 ").CopyTo(header, 124);
        header[156] = (byte)'0';
        header[510] = (byte)'*';
        header[511] = (byte)'/';
        Encoding.ASCII.GetBytes(Convert.ToString(header.Sum(b => b), 8).PadLeft(7, '0') + " ").CopyTo(header, 148);
        byte[] script = [.. header, .. Encoding.ASCII.GetBytes("WScript.Echo('run');".PadRight(512))];
        Assert.True(ArchiveInspector.IsTar(script));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("invoice.js.gz", Gzip(script))));

        Assert.Equal(FileType.Script, scan.Files.Single(f => f.Path == "invoice.js.gz/invoice.js").Type);
    }

    [Fact]
    public async Task A_stored_name_after_the_largest_extra_field_is_read()
    {
        byte[] fields = [0x28, 0x23, .. new byte[9000], .. "run.vbs"u8, 0];

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("invoice.pdf.gz", GzipWithHeader(0x04 | 0x08, fields, Pe))));

        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "invoice.pdf.gz/invoice.pdf").Type);
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "invoice.pdf.gz/run.vbs").Type);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task A_stored_name_that_does_not_end_within_the_header_limit_is_unreadable()
    {
        // A sound gzip (the name ends, so inflaters read past it), whose name ends only after the limit.
        byte[] fields = [.. Enumerable.Repeat((byte)'a', GzipHeader.MaxLength), 0];

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("long.gz", GzipWithHeader(0x08, fields, Pe))));

        AttachmentScannerTests.AssertOnlyIssue(scan, ScanIssueKind.Unreadable, "long.gz", "gzip header longer than");

        // The content is typed all the same.
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "long.gz/long").Type);
    }

    [Fact]
    public async Task The_members_of_a_tar_gz_are_typed_one_by_one()
    {
        var tgz = Gzip(Tar(("readme.txt", "read me"u8.ToArray()), ("bin/setup", Pe), ("run.sh", "#!/bin/sh\necho hi\n"u8.ToArray())));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("release.tgz", tgz)));

        Assert.Equal(FileType.Gzip, scan.Files.Single(f => f.Path == "release.tgz").Type);
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "release.tgz/bin/setup").Type);
        Assert.Equal(1, scan.Files.Single(f => f.Path == "release.tgz/bin/setup").Depth);
        Assert.Null(scan.Files.Single(f => f.Path == "release.tgz/readme.txt").Type);
        Assert.DoesNotContain(scan.Files, f => f.Path == "release.tgz/bin/");
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task A_zip_in_a_gzip_and_a_gzip_in_a_zip_are_opened()
    {
        var zipInGzip = Gzip(TestZips.Zip(("setup.exe", Pe)));
        var gzipInZip = TestZips.Zip(("tool.exe.gz", Gzip(Pe)));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("docs.zip.gz", zipInGzip), ("tools.zip", gzipInZip)));

        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "docs.zip.gz/docs.zip/setup.exe").Type);
        Assert.Equal(FileType.Zip, scan.Files.Single(f => f.Path == "docs.zip.gz/docs.zip").Type);
        Assert.Equal(FileType.Gzip, scan.Files.Single(f => f.Path == "tools.zip/tool.exe.gz").Type);
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "tools.zip/tool.exe.gz/tool.exe").Type);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task A_gzip_bomb_stops_at_the_inflation_budget_in_bounded_time()
    {
        var bomb = GzippedZeros(64L * 1024 * 1024);
        var limits = AttachmentLimits.Default with { MaxExpanded = 16L * 1024 * 1024 };
        var clock = Stopwatch.StartNew();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("zeros.bin.gz", bomb)), limits);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), clock.Elapsed.ToString());
        var issue = Assert.Single(scan.Issues);
        Assert.Equal(ScanIssueKind.Bomb, issue.Kind);
        Assert.Contains("passed", issue.Detail, StringComparison.Ordinal);
        Assert.True(scan.InflatedBytes <= limits.MaxExpanded);
    }

    [Fact]
    public async Task A_gzip_that_inflates_far_beyond_its_size_is_a_bomb_by_its_ratio()
    {
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("zeros.bin.gz", GzippedZeros(8L * 1024 * 1024))));

        var issue = Assert.Single(scan.Issues);
        Assert.Equal(ScanIssueKind.Bomb, issue.Kind);
        Assert.Contains("compression ratio", issue.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_gzip_is_reported_as_unreadable_not_a_crash()
    {
        var damaged = Gzip(Tar(("a.txt", new byte[20_000])));
        Array.Fill(damaged, (byte)0x55, 20, damaged.Length - 40);

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("broken.tar.gz", damaged)));

        Assert.Equal(FileType.Gzip, scan.Files.Single(f => f.Depth == 0).Type);
        Assert.Contains(scan.Issues, i => i.Kind == ScanIssueKind.Unreadable);
    }

    [Fact]
    public async Task A_tar_gz_bomb_is_a_bomb_not_an_unreadable_archive()
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "zeros.bin") { DataStream = new MemoryStream(new byte[24 * 1024 * 1024]) });
        }

        var limits = AttachmentLimits.Default with { MaxExpanded = 8L * 1024 * 1024 };
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("zeros.tgz", Gzip(tar.ToArray()))), limits);

        var issue = Assert.Single(scan.Issues);
        Assert.Equal(ScanIssueKind.Bomb, issue.Kind);
        Assert.True(scan.InflatedBytes <= limits.MaxExpanded);
    }

    [Fact]
    public async Task A_zip_in_a_gzip_is_counted_once_against_the_budget()
    {
        // 3 MiB of incompressible octets stored in a zip, gzipped: within a 4 MiB budget only if counted once.
        var noise = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(noise);
        var limits = AttachmentLimits.Default with { MaxExpanded = 4L * 1024 * 1024 };

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("data.zip.gz", Gzip(TestZips.Zip(("noise.bin", noise))))), limits);

        Assert.Empty(scan.Issues);
        Assert.Equal(FileType.Zip, scan.Files.Single(f => f.Path == "data.zip.gz/data.zip").Type);
    }

    [Fact]
    public async Task Content_that_ends_exactly_at_the_budget_is_not_a_bomb()
    {
        // Half noise, half zeros: the attachment itself stays under the budget, its content reaches it exactly.
        var noise = new byte[256 * 1024];
        new Random(3).NextBytes(noise.AsSpan(0, 128 * 1024));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("noise.bin.gz", Gzip(noise))), AttachmentLimits.Default with { MaxExpanded = noise.Length });

        Assert.Empty(scan.Issues);
        Assert.Equal(noise.Length, scan.InflatedBytes);
    }

    [Theory]
    [InlineData((byte)'x', "77777777777")]
    [InlineData((byte)'L', "00000200001")]
    public async Task A_metadata_header_that_claims_gigabytes_is_unreadable_without_allocating_them(byte type, string octalSize)
    {
        var header = RawHeader("././@LongLink", octalSize, type);
        var tgz = Gzip([.. header, .. new byte[4096]]);

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("odd.tgz", tgz)));

        var issue = Assert.Single(scan.Issues);
        Assert.Equal(ScanIssueKind.Unreadable, issue.Kind);
        Assert.Contains("metadata record", issue.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_base256_size_and_a_bad_checksum_are_unreadable_and_odd_pax_numbers_are_ignored()
    {
        var base256 = RawHeader("big.bin", "00000000000", (byte)'0');
        base256[124] = 0x80;
        FixChecksum(base256);
        var badChecksum = RawHeader("a.bin", "00000000000", (byte)'0');
        badChecksum[0] = (byte)'b';

        var paxTar = new MemoryStream();
        using (var writer = new TarWriter(paxTar, TarEntryFormat.Pax, leaveOpen: true))
        {
            // bsdtar on macOS writes uid 4294967294 for "nobody": out of range for some readers, irrelevant here.
            var attributes = new Dictionary<string, string> { ["uid"] = "4294967294", ["mtime"] = "1e20" };
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "tool", attributes) { DataStream = new MemoryStream(Pe) });
        }

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(
            ("big.tgz", Gzip([.. base256, .. new byte[1024]])), ("bad.tgz", Gzip([.. badChecksum, .. new byte[1024]])), ("pax.tgz", Gzip(paxTar.ToArray()))));

        Assert.Equal(2, scan.Issues.Count(i => i.Kind == ScanIssueKind.Unreadable));
        Assert.Contains(scan.Issues, i => i.Path == "big.tgz" && i.Detail.Contains("octal", StringComparison.Ordinal));
        Assert.Contains(scan.Issues, i => i.Path == "bad.tgz" && i.Detail.Contains("checksum", StringComparison.Ordinal));
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "pax.tgz/tool").Type);
    }

    [Fact]
    public async Task Member_names_are_capped_and_control_characters_replaced()
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Gnu, leaveOpen: true))
        {
            writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "evil\r\nname-" + new string('a', 5000)) { DataStream = new MemoryStream(Pe) });
        }

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("names.tgz", Gzip(tar.ToArray()))));

        var file = scan.Files.Single(f => f.Type == FileType.Pe);
        Assert.StartsWith("evil??name-", file.Name, StringComparison.Ordinal);
        Assert.True(file.Name!.Length <= 1024);
        Assert.Empty(scan.Issues);
    }

    private static byte[] RawHeader(string name, string octalSize, byte type)
    {
        var header = new byte[512];
        System.Text.Encoding.ASCII.GetBytes(name).CopyTo(header, 0);
        System.Text.Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        System.Text.Encoding.ASCII.GetBytes(octalSize + "\0").CopyTo(header, 124);
        header[156] = type;
        System.Text.Encoding.ASCII.GetBytes("ustar\000").CopyTo(header, 257);
        FixChecksum(header);
        return header;
    }

    private static void FixChecksum(byte[] header)
    {
        Array.Fill(header, (byte)' ', 148, 8);
        var sum = header.Sum(b => b);
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
    }
}
