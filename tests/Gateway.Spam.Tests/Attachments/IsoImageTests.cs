using Gateway.Spam.Attachments;
using Gateway.Testing.Peers;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>ISO 9660 disk images, made by Debian's xorriso, are looked into like archives: Windows mounts them on a double-click.</summary>
public sealed class IsoImageTests
{
    private static readonly byte[] Pe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0];

    private static Task<byte[]> ImageAsync(bool joliet, params (string Path, byte[] Content)[] files) => IsoImage.CreateAsync(joliet, files);

    [Theory]
    [InlineData("invoice.iso")]
    [InlineData("invoice.img")]
    public async Task The_files_of_an_iso_image_are_typed_by_their_content_and_archives_in_it_opened(string name)
    {
        var image = await ImageAsync(
            true,
            ("setup.exe", Pe),
            ("readme.txt", "read me"u8.ToArray()),
            ("sub/Long Name Invoice.pdf.js", "WScript.Echo(1)"u8.ToArray()),
            ("sub/inner.zip", TestZips.Zip(("tool.exe", Pe))));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message((name, image)));

        Assert.Equal(FileType.Iso, scan.Files.Single(f => f.Path == name).Type);
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == name + "/setup.exe").Type);
        Assert.Null(scan.Files.Single(f => f.Path == name + "/readme.txt").Type);

        // The Joliet name (what Windows shows) is read whole.
        Assert.Equal(FileType.Script, scan.Files.Single(f => f.Path == name + "/sub/Long Name Invoice.pdf.js").Type);
        Assert.Equal(FileType.Zip, scan.Files.Single(f => f.Path == name + "/sub/inner.zip").Type);
        var inner = scan.Files.Single(f => f.Path == name + "/sub/inner.zip/tool.exe");
        Assert.Equal((FileType.Pe, 2), (inner.Type, inner.Depth));
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task An_image_without_joliet_is_read_by_its_primary_names()
    {
        var image = await ImageAsync(false, ("setup.exe", Pe));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("disk.iso", image)));

        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "disk.iso/SETUP.EXE").Type);
        Assert.Empty(scan.Issues);
    }

    [Theory]
    [InlineData("%PDF-1.7\n")]
    [InlineData("PK\u0003\u0004")]
    public async Task An_image_is_opened_by_its_name_whatever_its_free_first_octets_say(string start)
    {
        // ISO 9660 leaves the first 32 KiB to the system area: anything may stand there, and Windows mounts by name.
        var image = await ImageAsync(true, ("setup.exe", Pe));
        System.Text.Encoding.ASCII.GetBytes(start).CopyTo(image, 0);

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("disk.iso", image), ("more.zip", TestZips.Zip(("inner/disk.iso", image)))));

        Assert.Equal(FileType.Iso, scan.Files.Single(f => f.Path == "disk.iso").Type);
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "disk.iso/setup.exe").Type);
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "more.zip/inner/disk.iso/setup.exe").Type);
    }

    [Fact]
    public async Task An_image_in_an_image_and_one_named_only_in_content_type_are_opened()
    {
        var inner = await ImageAsync(true, ("setup.exe", Pe));
        var outer = await ImageAsync(true, ("inner.iso", inner));
        var message = System.Text.Encoding.ASCII.GetBytes(
            "From: a@example.org\r\nTo: b@example.net\r\nSubject: scan\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            + "--b\r\nContent-Type: application/octet-stream; name=\"scan.iso\"\r\nContent-Disposition: attachment; filename=\"scan.dat\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n" + Convert.ToBase64String(outer, Base64FormattingOptions.InsertLineBreaks) + "\r\n--b--\r\n");

        var scan = await AttachmentScannerTests.ScanAsync(message);

        var found = scan.Files.Single(f => f.Path == "scan.dat/inner.iso/setup.exe");
        Assert.Equal((FileType.Pe, 2), (found.Type, found.Depth));
    }

    [Fact]
    public async Task Short_names_are_not_read_when_the_image_has_joliet_names()
    {
        // xorriso's 8.3 names for these would read as scripts (MODULE.INF, TYPES.PS1, NOTES.REG, BACKUP.BAT); Windows
        // shows the Joliet names.
        var text = "plain text"u8.ToArray();
        var image = await IsoImage.CreateAsync(["-J", "-R"], ("module.info", text), ("types.ps1xml", text), ("notes.regx", text), ("backup.batch", text));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("disk.iso", image)));

        Assert.Equal(4, scan.Files.Count(f => f.Depth == 1));
        Assert.All(scan.Files.Where(f => f.Depth == 1), f => Assert.Null(f.Type));
    }

    [Theory]
    [InlineData(true, "pe")]
    [InlineData(false, null)]
    public async Task A_file_in_several_extents_is_also_typed_by_its_name(bool continued, string? type)
    {
        // Its first piece need not start with the file's magic number: "M" here, "Z..." in the next extent.
        var image = await ImageAsync(true, ("setup.exe", "M"u8.ToArray()));
        if (continued)
        {
            var record = IndexOfFileRecord(image, System.Text.Encoding.BigEndianUnicode.GetBytes("setup.exe"));
            image[record + 25] |= 0x80;
        }

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("disk.iso", image)));

        Assert.Equal(type, scan.Files.Single(f => f.Path == "disk.iso/setup.exe").Type?.Name);
    }

    /// <summary>Where the file record whose identifier starts with <paramref name="id"/> starts.</summary>
    private static int IndexOfFileRecord(byte[] image, ReadOnlySpan<byte> id)
    {
        for (var i = IsoDirectory.DescriptorStart; i + 33 + id.Length < image.Length; i++)
        {
            // The identifier may carry a version (";1") after the name.
            if (image[i + 32] >= id.Length && image.AsSpan(i + 33, id.Length).SequenceEqual(id) && (image[i + 25] & 0x02) == 0 && image[i] >= 34)
            {
                return i;
            }
        }

        throw new InvalidOperationException("no such file record");
    }

    [Theory]
    [InlineData("disk.img")]
    [InlineData("backup.vhd")]
    [InlineData("backup.VHDX")]
    public async Task A_disk_image_of_another_file_system_is_unreadable(string name)
    {
        var fat = new byte[64 * 1024];
        new Random(9660).NextBytes(fat);

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message((name, fat)));

        AttachmentScannerTests.AssertOnlyIssue(scan, ScanIssueKind.Unreadable, name, "ISO 9660");
    }

    [Fact]
    public async Task An_iso_in_a_zip_is_opened_one_level_down()
    {
        var zip = TestZips.Zip(("files/disk.iso", await ImageAsync(true, ("setup.exe", Pe))));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("files.zip", zip)));

        Assert.Equal(FileType.Iso, scan.Files.Single(f => f.Path == "files.zip/files/disk.iso").Type);
        Assert.Equal((FileType.Pe, 2), Summary(scan, "files.zip/files/disk.iso/setup.exe"));
    }

    [Fact]
    public async Task A_directory_that_points_back_at_the_root_is_read_once()
    {
        var image = await ImageAsync(false, ("top.exe", Pe), ("sub/setup.exe", Pe));

        // Point the "SUB" directory record's extent at the root directory's: a loop.
        var root = BitConverter.ToUInt32(image, IsoDirectory.DescriptorStart + 156 + 2);
        var sub = IndexOfRecord(image, "SUB"u8);
        BitConverter.GetBytes(root).CopyTo(image, sub + 2);

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("loop.iso", image)));

        // Followed, the loop would list TOP.EXE again under SUB/, SUB/SUB/ and so on down to the depth limit.
        Assert.Equal(FileType.Iso, scan.Files.Single(f => f.Path == "loop.iso").Type);
        Assert.Equal("loop.iso/TOP.EXE", Assert.Single(scan.Files, f => f.Depth == 1).Path);
        Assert.Empty(scan.Issues);
    }

    [Theory]
    [InlineData(34_000)]
    [InlineData(36_000)]
    [InlineData(40_000)]
    public async Task A_cut_short_image_is_unreadable_not_a_crash(int length)
    {
        var image = await ImageAsync(true, ("setup.exe", Pe));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("cut.iso", image[..length])));

        Assert.Contains(scan.Issues, i => i.Kind == ScanIssueKind.Unreadable);
    }

    /// <summary>Where the directory record with this identifier starts (its identifier is at offset 33).</summary>
    private static int IndexOfRecord(byte[] image, ReadOnlySpan<byte> id)
    {
        for (var i = IsoDirectory.DescriptorStart; i + 33 + id.Length < image.Length; i++)
        {
            if (image[i + 32] == id.Length && image.AsSpan(i + 33, id.Length).SequenceEqual(id) && (image[i + 25] & 0x02) != 0)
            {
                return i;
            }
        }

        throw new InvalidOperationException("no such directory record");
    }

    private static (FileType? Type, int Depth) Summary(AttachmentScan scan, string path)
    {
        var file = scan.Files.Single(f => f.Path == path);
        return (file.Type, file.Depth);
    }
}
