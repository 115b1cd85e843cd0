using System.Buffers.Binary;
using Gateway.Spam.Attachments;
using Gateway.Testing.Peers;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>Cabinets made by Debian's gcab: not unpacked, their members listed from the file entries and checked by name.</summary>
public sealed class CabinetTests
{
    private static readonly byte[] Pe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0];

    /// <summary>A cabinet made by gcab (with <paramref name="switches"/>) of payload/setup.exe, read me.txt and <paramref name="padding"/> notes.</summary>
    private static async Task<byte[]> CabinetAsync(int padding, params string[] switches)
    {
        var directory = Gateway.Testing.TestDirectories.CreateTemp("gw-cab");
        try
        {
            Directory.CreateDirectory(Path.Combine(directory, "payload"));
            await File.WriteAllBytesAsync(Path.Combine(directory, "payload", "setup.exe"), Pe);
            await File.WriteAllTextAsync(Path.Combine(directory, "read me.txt"), "read me");
            await File.WriteAllTextAsync(Path.Combine(directory, "Überweisung.js"), "WScript.Echo(1)");
            List<string> inputs = ["payload/setup.exe", "read me.txt", "Überweisung.js"];
            for (var i = 0; i < padding; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(directory, $"note{i}.txt"), $"note {i}");
                inputs.Add($"note{i}.txt");
            }

            // gcab stores the paths it is given, relative ones as they are: run it from the directory.
            var (exitCode, output) = await ExternalTool.RunAsync("sh", ["-c", "cd \"$0\" && exec gcab \"$@\"", directory, "-c", .. switches, "out.cab", .. inputs], TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, output);
            return await File.ReadAllBytesAsync(Path.Combine(directory, "out.cab"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("-z")]
    public async Task The_members_are_listed_and_checked_by_name_stored_or_compressed(string switches)
    {
        var cab = await CabinetAsync(0, switches.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("update.cab", cab), ("more.zip", TestZips.Zip(("inner.cab", cab)))));

        Assert.Equal(FileType.Cab, scan.Files.Single(f => f.Path == "update.cab").Type);
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "update.cab/payload\\setup.exe").Type);
        Assert.Equal(FileType.Script, scan.Files.Single(f => f.Path == "update.cab/Überweisung.js").Type);
        Assert.Null(scan.Files.Single(f => f.Path == "update.cab/read me.txt").Type);
        Assert.Equal((FileType.Pe, 2), scan.Files.Where(f => f.Path == "more.zip/inner.cab/payload\\setup.exe").Select(f => (f.Type, f.Depth)).Single());
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task The_listing_is_the_one_gcab_gives()
    {
        var cab = await CabinetAsync(30, "-z");
        var directory = Gateway.Testing.TestDirectories.CreateTemp("gw-cab-list");
        try
        {
            var file = Path.Combine(directory, "a.cab");
            await File.WriteAllBytesAsync(file, cab);
            var (exitCode, output) = await ExternalTool.RunAsync("gcab", ["-t", file], TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, output);

            var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("a.cab", cab)));

            var listed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal);
            var ours = scan.Files.Where(f => f.Depth == 1).Select(f => f.Name!).Order(StringComparer.Ordinal);
            Assert.Equal(listed, ours);
            Assert.Equal(33, ours.Count());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_cut_short_cabinet_is_damage_and_the_names_before_it_are_kept()
    {
        var cab = await CabinetAsync(0);
        var firstEntry = (int)BinaryPrimitives.ReadUInt32LittleEndian(cab.AsSpan(16));

        // Cut inside the second entry's name: the first entry stands.
        var cut = cab[..(firstEntry + 16 + "payload\\setup.exe".Length + 1 + 20)];
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("cut.cab", cut)));

        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "cut.cab/payload\\setup.exe").Type);
        AttachmentScannerTests.AssertOnlyIssue(scan, ScanIssueKind.Unreadable, "cut.cab", "damaged cabinet");
    }

    [Theory]
    [InlineData(16, 0xFFFFFFF0u, "outside the file")]
    [InlineData(28, 0xFFFFu, "cut short")]
    public async Task Header_fields_that_point_past_the_file_are_damage(int offset, uint value, string reason)
    {
        var cab = await CabinetAsync(0);
        if (offset == 28)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(cab.AsSpan(offset), (ushort)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(cab.AsSpan(offset), value);
        }

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("bad.cab", cab)));

        var issue = Assert.Single(scan.Issues);
        Assert.Equal(ScanIssueKind.Unreadable, issue.Kind);
        Assert.Contains(reason, issue.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_members_than_the_limit_is_a_bomb()
    {
        var cab = await CabinetAsync(60);

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("many.cab", cab)), AttachmentLimits.Default with { MaxEntries = 50 });

        AttachmentScannerTests.AssertOnlyIssue(scan, ScanIssueKind.Bomb, "many.cab", "more than 50 archive members");
    }
    [Fact]
    public async Task A_cabinet_with_reserved_header_octets_set_is_still_listed()
    {
        // cabextract and gcab (like Wine's FDI) check "MSCF" and read on whatever reserved1 holds; the scanner wants
        // four NULs after the signature, so such a cabinet is no cabinet to it and its members are never listed.
        var cab = await CabinetAsync(0);
        cab[4] = 1;
        var directory = Gateway.Testing.TestDirectories.CreateTemp("gw-cab-reserved");
        try
        {
            var file = Path.Combine(directory, "a.cab");
            await File.WriteAllBytesAsync(file, cab);
            var (exitCode, output) = await ExternalTool.RunAsync("gcab", ["-t", file], TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, output);
            Assert.Contains("payload\\setup.exe", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("update.cab", cab)));

        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "update.cab/payload\\setup.exe").Type);
    }
}
