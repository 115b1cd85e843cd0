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

        Assert.Equal("ab" + "cd" + "\u0475\u0476" + "!", RarDirectory.DecodeUnicodeName("abcdef"u8, encoded));
    }

    private static (FileType? Type, bool Encrypted, int Depth) Summary(AttachmentScan scan, string path)
    {
        var file = scan.Files.Single(f => f.Path == path);
        return (file.Type, file.Encrypted, file.Depth);
    }
}
