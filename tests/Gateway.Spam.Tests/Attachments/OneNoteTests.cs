using System.Text;
using Gateway.Spam.Attachments;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>OneNote sections: embedded files typed by content, and the names they were embedded under checked.</summary>
public sealed class OneNoteTests
{
    private static readonly byte[] Pe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0];

    private static readonly byte[] Hta = "<html><head><HTA:APPLICATION id=\"x\"/><script language=\"VBScript\">CreateObject(\"WScript.Shell\")</script>"u8.ToArray();

    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    [Fact]
    public async Task An_embedded_executable_is_found_by_its_content()
    {
        var section = new TestOneNote().Filler(300).Embedded(Png).Filler(40).Embedded(Pe).Filler(64).ToArray();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Notes.one", section)));

        Assert.Equal(FileType.OneNote, scan.Files.Single(f => f.Path == "Notes.one").Type);
        Assert.Null(scan.Files.Single(f => f.Path == "Notes.one/embedded file 1").Type);
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "Notes.one/embedded file 2").Type);
        Assert.Equal(1, scan.Files.Single(f => f.Path == "Notes.one/embedded file 2").Depth);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task An_embedded_script_is_found_by_the_names_it_was_embedded_under()
    {
        // An HTA has no magic number: OneNote runs it because of its name, stored as the EmbeddedFileName property,
        // the SourceFilepath property and the file data declaration's extension.
        var section = new TestOneNote()
            .Filler(200).FileName("Invoice 2026-12.hta", "C:\\Users\\a\\Desktop\\Invoice 2026-12.hta")
            .Filler(13).Declared("<ifndf>{" + Guid.NewGuid() + "}").Declared(".hta")
            .Filler(100).Embedded(Hta).ToArray();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Notes.one", section)));

        Assert.Equal(FileType.Script, scan.Files.Single(f => f.Path == "Notes.one/Invoice 2026-12.hta").Type);
        Assert.Equal(FileType.Script, scan.Files.Single(f => f.Path == "Notes.one/.hta").Type);
        Assert.Null(scan.Files.Single(f => f.Path == "Notes.one/embedded file 1").Type);
        Assert.Equal(4, scan.Files.Count);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task Page_text_that_mentions_a_file_is_no_file_name()
    {
        // Only a string that is wholly a name counts: text around it, or a name without its exact length prefix, is
        // what a page says, not what it holds.
        var unprefixed = Encoding.Unicode.GetBytes("setup.exe");
        var section = new TestOneNote()
            .Filler(64).Text("Run setup.exe from the share, then open report.pdf").Text("report.pdf")
            .Filler(8, 0x41).ToArray().Concat(unprefixed).Concat(new byte[64]).ToArray();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Minutes.one", section)));

        Assert.Equal("Minutes.one", Assert.Single(scan.Files).Path);
        Assert.Empty(scan.Issues);
    }

    [Theory]
    [InlineData(-600)]
    [InlineData(-40)]
    [InlineData(-30)]
    [InlineData(-24)]
    [InlineData(-23)]
    [InlineData(-9)]
    [InlineData(-8)]
    [InlineData(-2)]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(41)]
    [InlineData(48)]
    [InlineData(58)]
    [InlineData(62)]
    [InlineData(600)]
    public async Task A_name_or_an_object_across_the_read_chunks_is_found(int shift)
    {
        // The first read looks for anchors up to Chunk + Behind and holds Ahead octets more: the name's dot lands at that
        // line plus shift, the object's header 8 octets after it, so each straddles the line or the read's end in some
        // case and is found once in all.
        const int line = OneNoteSection.Chunk + OneNoteSection.Behind;
        var section = new TestOneNote().Filler(line + shift - 26 - 1024, 0x20).FileName("update.cmd").Embedded(Pe).Filler(100).ToArray();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Big.one", section)));

        Assert.Equal(FileType.Script, scan.Files.Single(f => f.Path == "Big.one/update.cmd").Type);
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "Big.one/embedded file 1").Type);
        Assert.Equal(3, scan.Files.Count);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task An_archive_embedded_in_a_section_and_a_section_in_an_archive_are_opened()
    {
        var inner = new TestOneNote().Filler(64).Embedded(TestZips.Zip(("payload/run.exe", Pe))).ToArray();
        var zip = TestZips.Zip(("docs/Notes.one", inner));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("docs.zip", zip)));

        Assert.Equal(FileType.OneNote, scan.Files.Single(f => f.Path == "docs.zip/docs/Notes.one").Type);
        Assert.Equal(FileType.Zip, scan.Files.Single(f => f.Path == "docs.zip/docs/Notes.one/embedded file 1").Type);
        var exe = scan.Files.Single(f => f.Path == "docs.zip/docs/Notes.one/embedded file 1/payload/run.exe");
        Assert.Equal((FileType.Pe, 3), (exe.Type, exe.Depth));
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task A_section_embedded_in_a_section_is_opened_one_level_down_and_its_octets_still_looked_at()
    {
        // A section embedded in a section is opened one level down. Its octets are looked at as the outer section's
        // too: a header GUID anywhere (page text, free space) is no proof they are an embedded file's only (see
        // A_data_object_header_in_unreferenced_octets_does_not_hide_the_files_after_it), so what it holds is also
        // listed at the outer level.
        var inner = new TestOneNote().FileName("tool.exe").Embedded(Pe).ToArray();
        var outer = new TestOneNote().Filler(16).Embedded(inner).ToArray();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Outer.one", outer)));

        Assert.Equal(
            ["Outer.one", "Outer.one/embedded file 1", "Outer.one/embedded file 1/embedded file 1", "Outer.one/embedded file 1/tool.exe", "Outer.one/embedded file 2", "Outer.one/tool.exe"],
            scan.Files.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Equal(FileType.OneNote, scan.Files.Single(f => f.Path == "Outer.one/embedded file 1").Type);
    }

    [Theory]
    [InlineData(100_000UL)]
    [InlineData(ulong.MaxValue)]
    [InlineData(0x8000_0000_0000_0000UL)]
    public async Task An_object_claiming_more_than_the_section_holds_is_damage_and_what_came_before_is_kept(ulong claimed)
    {
        var section = new TestOneNote().FileName("a.js").Filler(10).Embedded(Pe, claimed).ToArray();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Cut.one", section)));

        Assert.Equal(FileType.Script, scan.Files.Single(f => f.Path == "Cut.one/a.js").Type);
        AttachmentScannerTests.AssertOnlyIssue(scan, ScanIssueKind.Unreadable, "Cut.one", "runs past the end");
    }

    [Fact]
    public async Task More_embedded_files_than_the_member_limit_is_a_bomb()
    {
        var section = new TestOneNote();
        for (var i = 0; i < 60; i++)
        {
            section.Embedded(Png);
        }

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Many.one", section.ToArray())), AttachmentLimits.Default with { MaxEntries = 50 });

        AttachmentScannerTests.AssertOnlyIssue(scan, ScanIssueKind.Bomb, "Many.one", "more than 50 archive members");
    }

    [Fact]
    public async Task Random_sections_only_ever_list_or_report_damage()
    {
        var random = new Random(20261207);
        for (var round = 0; round < 300; round++)
        {
            var body = new byte[random.Next(0, 6000)];
            random.NextBytes(body);

            // Seed the noise with the structures the reader looks for, so it meets them cut and misplaced.
            var seeds = new TestOneNote().FileName("x.exe").Declared(".vbs").Embedded(Pe).ToArray()[1024..];
            for (var s = 0; s < 4 && body.Length > seeds.Length; s++)
            {
                var at = random.Next(0, body.Length - seeds.Length);
                seeds.AsSpan(0, random.Next(1, seeds.Length)).CopyTo(body.AsSpan(at));
            }

            var section = new TestOneNote().ToArray().Concat(body).ToArray();
            var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Fuzz.one", section)));

            Assert.Equal(FileType.OneNote, scan.Files.Single(f => f.Path == "Fuzz.one").Type);
            Assert.All(scan.Issues, i => Assert.Equal(ScanIssueKind.Unreadable, i.Kind));
        }
    }

    [Fact]
    public async Task A_data_object_header_in_unreferenced_octets_does_not_hide_the_files_after_it()
    {
        // OneNote follows the revision store's references; the scanner takes any header GUID for an object and skips
        // its declared length. A header in page text or free space, claiming a length that covers the real
        // EmbeddedFileName and FileDataStoreObject, hides both.
        var hidden = new TestOneNote().FileName("invoice.hta").Embedded(Pe).ToArray()[1024..];
        var section = new TestOneNote().Filler(64).Embedded(hidden).Filler(64).ToArray();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Notes.one", section)));

        Assert.Contains(scan.Files, f => f.Type == FileType.Pe);
        Assert.Contains(scan.Files, f => f.Name == "invoice.hta" && f.Type == FileType.Script);
    }

    [Fact]
    public async Task A_data_object_header_claiming_too_much_does_not_stop_the_scan()
    {
        // A stray header GUID whose length runs past the end stops the walk: what follows is never looked at, and
        // the section is only "unreadable" (tagged by default) instead of rejected for the executable in it.
        var section = new TestOneNote().Filler(64).Embedded(Png, claimed: 1UL << 40).FileName("invoice.hta").Embedded(Pe).Filler(64).ToArray();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Notes.one", section)));

        Assert.Contains(scan.Files, f => f.Type == FileType.Pe);
        Assert.Contains(scan.Files, f => f.Name == "invoice.hta" && f.Type == FileType.Script);
    }

    [Fact]
    public async Task A_flood_of_name_candidates_is_no_way_past_the_policy()
    {
        // 100,001 ".a" strings make the walk give up with "damage" (Unreadable: tagged by default), and the
        // executable after them is never seen. A flood must be rejected like a bomb, or the files still found.
        var flood = Encoding.Unicode.GetBytes(string.Concat(Enumerable.Repeat(".a", 100_001)));
        var section = new TestOneNote().ToArray().Concat(flood).Concat(new TestOneNote().Filler(8).FileName("invoice.hta").Embedded(Pe).ToArray()[1024..]).ToArray();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Notes.one", section)));

        Assert.True(
            scan.Files.Any(f => f.Type == FileType.Pe) || scan.Issues.Any(i => i.Kind == ScanIssueKind.Bomb),
            string.Join("; ", scan.Issues.Select(i => i.Kind + " " + i.Detail)));
    }

    [Theory]
    [InlineData("invoice.hta.")]
    [InlineData("invoice.hta ")]
    [InlineData("invoice.hta. .")]
    public async Task A_name_with_the_trailing_dots_or_spaces_windows_drops_is_checked(string name)
    {
        // Saved to disk under that name, Windows drops the trailing dots and spaces and the file runs as an HTA.
        var section = new TestOneNote().Filler(64).FileName(name).Filler(16).Embedded(Hta).ToArray();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Notes.one", section)));

        Assert.Contains(scan.Files, f => f.Type == FileType.Script);
    }

    [Theory]
    [InlineData("invoice\u0085.hta")]
    [InlineData("invoice\u009F 2026.hta")]
    [InlineData("report\u007F.cmd")]
    public async Task A_name_with_characters_windows_allows_in_file_names_is_checked(string name)
    {
        // Windows forbids only U+0000-U+001F and <>:"/\|?* in a name; DEL and U+0080-U+009F are allowed, but the
        // scanner's name walk stops at them, so the length prefix is never found and the name never checked.
        var section = new TestOneNote().Filler(64).FileName(name).Filler(16).Embedded(Hta).ToArray();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Notes.one", section)));

        Assert.Contains(scan.Files, f => f.Type == FileType.Script);
    }

    [Fact]
    public async Task Many_empty_data_objects_take_linear_time()
    {
        // Each object found makes the reader go back to the file for a whole new chunk (1 MiB) just after it:
        // 9,000 empty objects followed by filler read 9 GiB.
        var section = new TestOneNote();
        for (var i = 0; i < 9_000; i++)
        {
            section.Embedded([]);
        }

        // Past the objects, filler fills every chunk read after each of them (an 8 MiB section, kept in a temporary file).
        section.Filler(8 << 20, 0x20);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Many.one", section.ToArray())));
        watch.Stop();

        Assert.Equal(9_000, scan.Files.Count(f => f.Path.StartsWith("Many.one/embedded file ", StringComparison.Ordinal)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("Contact: jane.doe@contoso.com")]
    [InlineData("www.example.com")]
    [InlineData("Install it with setup.exe")]
    [InlineData("Meeting notes, see https://wiki.example.pl")]
    public async Task A_paragraph_ending_in_a_domain_or_a_file_name_is_no_embedded_file(string text)
    {
        // Page text (RichEditTextUnicode) is stored like EmbeddedFileName, a UTF-16 string after its octet count:
        // every paragraph that ends in ".com", ".pl", ".sh" or ".exe" is taken for an embedded executable or script,
        // and a section of ordinary notes is rejected.
        var section = new TestOneNote().Filler(64).Text("Notes").Filler(24).Text(text).Filler(64).ToArray();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Minutes.one", section)));

        Assert.Equal("Minutes.one", Assert.Single(scan.Files).Path);
    }

    [Fact]
    public void A_notebook_table_of_contents_is_onenote_too()
    {
        var head = new Guid("43FF2FA1-EFD9-4C76-9EE2-10EA5722765F").ToByteArray().Concat(new byte[64]).ToArray();

        Assert.Equal(FileType.OneNote, FileSignatures.Detect(head, "Open Notebook.onetoc2"));
    }
}
