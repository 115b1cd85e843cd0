using Gateway.Spam.Attachments;
using Gateway.Testing.Peers;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>7z archives made by Debian's 7-Zip (7zz): not unpacked, but their encryption is reported where the header shows it.</summary>
public sealed class SevenZipTests
{
    private static readonly byte[] Pe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0];

    /// <summary>
    /// An archive made by 7zz with the given switches of setup.exe, with <paramref name="docs"/> docs/readme.txt, and
    /// <paramref name="padding"/> small text files.
    /// </summary>
    private static async Task<byte[]> SevenZipAsync(bool docs, int padding, params string[] switches)
    {
        var directory = Gateway.Testing.TestDirectories.CreateTemp("gw-7z");
        try
        {
            var root = Path.Combine(directory, "in");
            Directory.CreateDirectory(Path.Combine(root, "docs"));
            await File.WriteAllBytesAsync(Path.Combine(root, "setup.exe"), Pe);
            await File.WriteAllTextAsync(Path.Combine(root, "docs", "readme.txt"), "read me");
            List<string> inputs = docs ? ["setup.exe", "docs"] : ["setup.exe"];
            for (var i = 0; i < padding; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(root, $"note{i}.txt"), $"note {i}");
                inputs.Add($"note{i}.txt");
            }

            var archive = Path.Combine(directory, "out.7z");
            var (exitCode, output) = await ExternalTool.RunAsync("7zz", ["a", "-bd", .. switches, archive, .. inputs.Select(i => Path.Combine(root, i))], TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, output);
            return await File.ReadAllBytesAsync(archive);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("-pSecret", true)]
    public async Task A_single_file_archive_has_a_plain_header_and_its_file_is_checked_by_name(string switches, bool encrypted)
    {
        // 7-Zip packs the header only when that makes it smaller: a one-file archive's header stays plain.
        var archive = await SevenZipAsync(false, 0, switches.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("files.7z", archive), ("more.zip", TestZips.Zip(("inner.7z", archive)))));

        Assert.Equal((FileType.Pe, encrypted, 1), Summary(scan, "files.7z/setup.exe"));
        Assert.Equal((FileType.Pe, encrypted, 2), Summary(scan, "more.zip/inner.7z/setup.exe"));
        Assert.Empty(scan.Issues);
    }

    [Theory]
    [InlineData("-mhc=off", false)]
    [InlineData("-mhc=off -pSecret", true)]
    public async Task A_plain_header_lists_the_files_by_name_and_leaves_directories_out(string switches, bool encrypted)
    {
        var archive = await SevenZipAsync(true, 0, switches.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("files.7z", archive), ("more.zip", TestZips.Zip(("inner.7z", archive)))));

        Assert.Equal(FileType.SevenZip, scan.Files.Single(f => f.Path == "files.7z").Type);
        Assert.Equal((FileType.Pe, encrypted, 1), Summary(scan, "files.7z/setup.exe"));
        Assert.Equal((null, encrypted, 1), Summary(scan, "files.7z/docs/readme.txt"));
        Assert.DoesNotContain(scan.Files, f => f.Path == "files.7z/docs");
        Assert.Equal((FileType.Pe, encrypted, 2), Summary(scan, "more.zip/inner.7z/setup.exe"));
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task Encrypted_headers_are_reported()
    {
        var archive = await SevenZipAsync(true, 0, "-pSecret", "-mhe=on");

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("files.7z", archive)));

        AttachmentScannerTests.AssertOnlyIssue(scan, ScanIssueKind.Unreadable, "files.7z", "7z archive with encrypted headers");
        Assert.Single(scan.Files);
    }

    [Fact]
    public async Task A_packed_header_lists_nothing_and_a_cut_archive_is_damaged()
    {
        // Enough files that 7-Zip packs the header: nothing is listed, nothing reported.
        var archive = await SevenZipAsync(true, 60);

        var packed = await AttachmentScannerTests.ScanAsync(TestZips.Message(("files.7z", archive)));
        var cut = await AttachmentScannerTests.ScanAsync(TestZips.Message(("cut.7z", archive[..40])));

        Assert.Empty(packed.Issues);
        Assert.Single(packed.Files);
        AttachmentScannerTests.AssertOnlyIssue(cut, ScanIssueKind.Unreadable, "cut.7z", "damaged 7z archive");
    }

    [Fact]
    public void A_hostile_header_fails_as_damage_not_as_a_crash()
    {
        // Plain header, main streams info, unpack info with a folder count far beyond the octets left.
        byte[] header = [0x01, 0x04, 0x07, 0x0B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00];
        var random = new Random(7);
        Assert.Throws<InvalidDataException>(() => SevenZipFiles.Read(header, 10_000));
        for (var i = 0; i < 20_000; i++)
        {
            var noise = new byte[random.Next(1, 64)];
            random.NextBytes(noise);
            noise[0] = 0x01;
            try
            {
                SevenZipFiles.Read(noise, 10_000);
            }
            catch (InvalidDataException)
            {
                // Damage is the one way out besides a listing.
            }
        }
    }

    private static (FileType? Type, bool Encrypted, int Depth) Summary(AttachmentScan scan, string path)
    {
        var file = scan.Files.Single(f => f.Path == path);
        return (file.Type, file.Encrypted, file.Depth);
    }
}
