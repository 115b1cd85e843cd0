using System.Diagnostics;
using System.Text.Json;
using Gateway.Spam.Attachments;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>RAR archives are listed, not unpacked: members are typed by name and flagged when encrypted.</summary>
public sealed class RarListingTests
{
    private static readonly byte[] Pe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0];

    /// <summary>What Debian's lsar (unar) lists: each member's name and whether it is encrypted.</summary>
    private static async Task<List<(string Name, bool Encrypted)>> LsarAsync(byte[] archive)
    {
        var file = Path.Combine(Path.GetTempPath(), "gw-rar-" + Guid.NewGuid().ToString("N") + ".rar");
        try
        {
            await File.WriteAllBytesAsync(file, archive);
            using var lsar = Process.Start(new ProcessStartInfo("lsar", ["-j", file]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var json = await lsar.StandardOutput.ReadToEndAsync();
            await lsar.WaitForExitAsync();
            using var document = JsonDocument.Parse(json);
            return [.. document.RootElement.GetProperty("lsarContents").EnumerateArray().Select(e => (
                e.GetProperty("XADFileName").GetString()!,
                e.TryGetProperty("XADIsEncrypted", out var encrypted) && encrypted.GetInt32() == 1))];
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Rar5_members_are_listed_and_an_executable_name_is_blocked_as_pe()
    {
        var rar = TestRar.Rar5(false, new("docs/readme.txt", "read me"u8.ToArray()), new("setup.exe", Pe), new("invoice.pdf", [1, 2, 3], Encrypted: true));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("files.rar", rar)));

        Assert.Equal(FileType.Rar, scan.Files.Single(f => f.Path == "files.rar").Type);
        Assert.Equal((FileType.Pe, false, 1), Summary(scan, "files.rar/setup.exe"));
        Assert.Equal((null, false, 1), Summary(scan, "files.rar/docs/readme.txt"));
        Assert.Equal((null, true, 1), Summary(scan, "files.rar/invoice.pdf"));
        Assert.Empty(scan.Issues);
        Assert.Equal([("docs/readme.txt", false), ("setup.exe", false), ("invoice.pdf", true)], await LsarAsync(rar));
    }

    [Fact]
    public async Task Rar4_unicode_and_8_bit_names_are_both_checked()
    {
        // WinRAR shows the Unicode name; an old tool, or a scanner reading only the 8-bit one, sees a PDF.
        var rar = TestRar.Rar4(false, new("invoice.pdf", "invoice.exe", Pe), new("notes.txt", null, "hi"u8.ToArray(), Encrypted: true));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("mail.rar", rar)));

        Assert.Equal((FileType.Pe, false, 1), Summary(scan, "mail.rar/invoice.exe"));
        Assert.Equal((null, false, 1), Summary(scan, "mail.rar/invoice.pdf"));
        Assert.Equal((null, true, 1), Summary(scan, "mail.rar/notes.txt"));
        Assert.Empty(scan.Issues);
        Assert.Equal([("invoice.exe", false), ("notes.txt", true)], await LsarAsync(rar));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public async Task Encrypted_headers_hide_the_names_and_are_reported(int version)
    {
        var rar = version == 5 ? TestRar.Rar5(true) : TestRar.Rar4(true);

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("secret.rar", rar)));

        AttachmentScannerTests.AssertOnlyIssue(scan, ScanIssueKind.Unreadable, "secret.rar", "encrypted headers");
    }

    [Fact]
    public async Task A_rar_in_a_zip_is_listed_one_level_down()
    {
        var zip = TestZips.Zip(("inner.rar", TestRar.Rar5(false, new TestRar.Member5("run.js", "x"u8.ToArray()))));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("outer.zip", zip)));

        Assert.Equal(FileType.Rar, scan.Files.Single(f => f.Path == "outer.zip/inner.rar").Type);
        Assert.Equal((FileType.Script, false, 2), Summary(scan, "outer.zip/inner.rar/run.js"));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(30)]
    [InlineData(45)]
    public async Task A_cut_short_archive_is_unreadable_or_listed_as_far_as_it_goes(int length)
    {
        var rar = TestRar.Rar5(false, new TestRar.Member5("setup.exe", Pe));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("cut.rar", rar[..length])));

        // Either the header that is cut reads as damaged, or the member before the cut is listed: never a crash.
        Assert.True(scan.Issues.Any(i => i.Kind == ScanIssueKind.Unreadable) || scan.Files.Any(f => f.Name == "setup.exe"));
    }

    [Fact]
    public async Task More_members_than_the_limit_are_a_bomb()
    {
        var members = Enumerable.Range(0, 30).Select(i => new TestRar.Member5($"f{i}.txt", [])).ToArray();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("many.rar", TestRar.Rar5(false, members))), AttachmentLimits.Default with { MaxEntries = 20 });

        Assert.Equal(ScanIssueKind.Bomb, Assert.Single(scan.Issues).Kind);
    }

    [Fact]
    public void The_rar4_unicode_encoding_copies_runs_from_the_8_bit_name_with_a_correction()
    {
        // High octet 0x04; flags 11 11 00 00: a run of 2+2 copied as is, a run of 2+0 with correction 0x10 under
        // the high octet, then one plain octet.
        byte[] encoded = [0x04, 0xF0, 0x02, 0x80, 0x10, (byte)'!'];

        Assert.Equal("ab" + "cd" + "\u0475\u0476" + "!", RarDirectory.DecodeUnicodeName([.. "abcdef"u8, 0, .. encoded], 6));
    }

    [Theory]
    [InlineData((ushort)0, 0u, 0x80000000u)]
    [InlineData((ushort)0, 0xFFFFFFFFu, 0xFFFFFFFFu)]
    [InlineData((ushort)0xE0, 0xFFFFFFD3u, 0xFFFFFFFFu)]
    public async Task Sizes_that_would_wrap_or_stand_still_end_the_walk(ushort flags, uint packLow, uint packHigh)
    {
        // 64-bit packed sizes read as signed would move the walk backwards or not at all (the last: -45, the
        // header's own size, on a directory header that lists nothing).
        var rar = TestRar.Rar4Large(flags, packLow, packHigh, [.. "a.exe"u8]);

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("a.rar", rar))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(FileType.Rar, scan.Files.Single(f => f.Path == "a.rar").Type);
    }

    [Fact]
    public async Task A_unicode_name_code_cut_short_is_skipped_and_decoding_goes_on_as_unrar_does()
    {
        // High 0, four one-octet codes "a.ex", then a two-octet code with one octet left, read as a one-octet "e".
        byte[] field = [.. "a.txt"u8, 0, 0x00, 0x00, (byte)'a', (byte)'.', (byte)'e', (byte)'x', 0x80, (byte)'e'];
        Assert.Equal("a.exe", RarDirectory.DecodeUnicodeName(field, 5));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("a.rar", TestRar.Rar4Large(0x0200, 0, 0, field))));

        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "a.rar/a.exe").Type);
        Assert.Null(scan.Files.Single(f => f.Path == "a.rar/a.txt").Type);
    }

    [Theory]
    [InlineData("invoice.rar")]
    [InlineData("invoice.zip/inner.rar")]
    public async Task A_rar_after_other_octets_is_found_as_rar_readers_find_it(string where)
    {
        byte[] prefixed = [.. "not the start of the archive\r\n"u8, .. TestRar.Rar5(false, new TestRar.Member5("setup.exe", Pe))];
        var attachment = where.Contains('/', StringComparison.Ordinal) ? TestZips.Zip(("inner.rar", prefixed)) : prefixed;

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message((where.Split('/')[0], attachment)));

        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == where + "/setup.exe").Type);
    }

    [Fact]
    public async Task Millions_of_empty_blocks_end_as_damage_with_the_members_before_them_kept()
    {
        // One member, then 200,000 empty service headers (type 3, no data): each moves the walk 7 octets.
        var rar = TestRar.Rar5(false, new TestRar.Member5("setup.exe", Pe));
        byte[] empty = [0, 0, 0, 0, 2, 3, 0];
        var padded = new List<byte>(rar[..^8]);
        for (var i = 0; i < 200_000; i++)
        {
            padded.AddRange(empty);
        }

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("many.rar", [.. padded])));

        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "many.rar/setup.exe").Type);
        AttachmentScannerTests.AssertOnlyIssue(scan, ScanIssueKind.Unreadable, "many.rar", "far more blocks than members");
    }

    [Fact]
    public async Task A_file_named_rar_without_the_signature_is_unreadable()
    {
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("fake.rar", "just text"u8.ToArray())));

        AttachmentScannerTests.AssertOnlyIssue(scan, ScanIssueKind.Unreadable, "fake.rar", "no RAR signature");
    }

    [Theory]
    [InlineData("addin.xll", "pe")]
    [InlineData("console.msc", "script")]
    [InlineData("help.chm", "script")]
    [InlineData("photo.jpg", null)]
    public async Task Rar_members_are_typed_by_their_names(string name, string? type)
    {
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("a.rar", TestRar.Rar5(false, new TestRar.Member5(name, Pe)))));

        Assert.Equal(type, scan.Files.Single(f => f.Path == "a.rar/" + name).Type?.Name);
    }

    private static (FileType? Type, bool Encrypted, int Depth) Summary(AttachmentScan scan, string path)
    {
        var file = scan.Files.Single(f => f.Path == path);
        return (file.Type, file.Encrypted, file.Depth);
    }
}
