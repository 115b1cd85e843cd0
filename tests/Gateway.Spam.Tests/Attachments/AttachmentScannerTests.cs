using System.Diagnostics;
using System.Text;
using Gateway.Spam.Attachments;

namespace Gateway.Spam.Tests.Attachments;

public sealed class AttachmentScannerTests
{
    private static readonly byte[] Pe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0];

    internal static async Task<AttachmentScan> ScanAsync(byte[] message, AttachmentLimits? limits = null)
    {
        using var stream = new MemoryStream(message, writable: false);
        return await AttachmentScanner.ScanAsync(stream, limits ?? AttachmentLimits.Default, default);
    }

    /// <summary>The scan found exactly one issue: of this kind, at this path, its detail saying <paramref name="detailPart"/>.</summary>
    internal static void AssertOnlyIssue(AttachmentScan scan, ScanIssueKind kind, string path, string detailPart)
    {
        var issue = Assert.Single(scan.Issues);
        Assert.Equal((kind, path), (issue.Kind, issue.Path));
        Assert.Contains(detailPart, issue.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_renamed_executable_is_found_by_its_content()
    {
        var scan = await ScanAsync(TestZips.Message(("invoice.pdf", Pe)));

        var file = Assert.Single(scan.Files);
        Assert.Equal("invoice.pdf", file.Name);
        Assert.Equal(FileType.Pe, file.Type);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task Text_and_unnamed_parts_of_no_known_type_are_not_files()
    {
        var scan = await ScanAsync(TestZips.Message((null, "just text"u8.ToArray()), ("notes.txt", "hello"u8.ToArray())));

        var file = Assert.Single(scan.Files);
        Assert.Equal("notes.txt", file.Path);
        Assert.Null(file.Type);
        Assert.Equal(3, scan.Parts);
    }

    [Fact]
    public async Task An_unnamed_part_is_named_by_its_position()
    {
        var scan = await ScanAsync(TestZips.Message((null, Pe)));

        Assert.Equal("part 2", Assert.Single(scan.Files).Path);
    }

    [Fact]
    public async Task Members_of_a_zip_are_typed_too()
    {
        var zip = TestZips.Zip(("readme.txt", "read me"u8.ToArray()), ("bin/setup.exe", Pe), ("run.js", "x()"u8.ToArray()));

        var scan = await ScanAsync(TestZips.Message(("docs.zip", zip)));

        Assert.Equal(FileType.Zip, scan.Files.Single(f => f.Depth == 0).Type);
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "docs.zip/bin/setup.exe").Type);
        Assert.Equal(FileType.Script, scan.Files.Single(f => f.Path == "docs.zip/run.js").Type);
        Assert.Equal(1, scan.Files.Single(f => f.Path == "docs.zip/run.js").Depth);
        Assert.Equal(3, scan.ArchiveEntries);
    }

    [Fact]
    public async Task A_zip64_end_record_that_lists_more_members_than_the_end_record_says_is_judged_by_the_larger_count()
    {
        // The 16-bit count says 1; a directory offset of 0xFFFFFFFF sends readers to the zip64 record, which says 50.
        var zip = TestZips.WithZip64End(TestZips.Zip([.. Enumerable.Range(0, 50).Select(i => ($"f{i}.txt", "x"u8.ToArray()))]), eocdCount: 1);
        var limits = AttachmentLimits.Default with { MaxEntries = 10 };

        var scan = await ScanAsync(TestZips.Message(("many.zip", zip)), limits);

        Assert.True(scan.HasBomb);
        Assert.True(scan.ArchiveEntries <= limits.MaxEntries, $"{scan.ArchiveEntries} members listed");
    }

    [Fact]
    public async Task A_gzip_in_a_zip_counts_what_the_zip_inflates_for_it_not_only_what_the_gzip_inflates()
    {
        // 40 empty gzip members, each padded with a 50,000-octet extra field: the gzip inflates nothing, the zip
        // inflates 2 MB for it.
        var random = new Random(7);
        using var gz = new MemoryStream();
        for (var i = 0; i < 40; i++)
        {
            var extra = new byte[50_000];
            random.NextBytes(extra);
            gz.Write([0x1f, 0x8b, 8, 0x04, 0, 0, 0, 0, 0, 0xff]);
            gz.Write([(byte)(extra.Length & 0xff), (byte)(extra.Length >> 8)]);
            gz.Write(extra);
            gz.Write([0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
        }

        var zip = TestZips.Zip(("padding.gz", gz.ToArray()));
        var limits = AttachmentLimits.Default with { MaxExpanded = 4 << 20 };

        var scan = await ScanAsync(TestZips.Message(("docs.zip", zip)), limits);

        // Counted against the budget: under it here, but a message of such members runs into it instead of
        // inflating twice the limit.
        Assert.True(scan.InflatedBytes >= 40 * 50_000, $"inflated {scan.InflatedBytes}");
        Assert.False(scan.HasBomb);
    }

    [Fact]
    public async Task An_attached_message_sent_in_base64_is_decoded_and_its_files_typed()
    {
        var inner = System.Text.Encoding.ASCII.GetString(TestZips.Message(("setup.bin", Pe)));
        var message = "From: a@example.org\r\nSubject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n"
            + "--o\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(inner), Base64FormattingOptions.InsertLineBreaks) + "\r\n--o--\r\n";

        var scan = await ScanAsync(System.Text.Encoding.ASCII.GetBytes(message));

        Assert.Contains(scan.Files, f => f.Name == "setup.bin" && f.Type == FileType.Pe);
        Assert.DoesNotContain(scan.Issues, i => i.Kind == ScanIssueKind.Structure);
    }

    [Fact]
    public async Task A_name_too_long_to_keep_whole_keeps_its_extension()
    {
        var name = new string('a', 1_100) + ".js";
        var zip = TestZips.Zip((name, "x()"u8.ToArray()));

        var scan = await ScanAsync(TestZips.Message((name, "x()"u8.ToArray()), ("docs.zip", zip)));

        Assert.Equal(2, scan.Files.Count(f => f.Type == FileType.Script && f.Name!.EndsWith(".js", StringComparison.Ordinal)));
        Assert.All(scan.Files, f => Assert.True(f.Path.Length <= 2 * FileNames.MaxLength, f.Path));
    }

    [Fact]
    public async Task A_zip64_end_record_with_the_0xffff_sentinel_is_judged_by_the_zip64_count()
    {
        var zip = TestZips.WithZip64End(TestZips.Zip(("a.txt", "a"u8.ToArray()), ("b.txt", "b"u8.ToArray()), ("c.txt", "c"u8.ToArray())), eocdCount: 0xFFFF, realTotal: 3);

        var scan = await ScanAsync(TestZips.Message(("three.zip", zip)));

        Assert.False(scan.HasBomb);
        Assert.Equal(3, scan.ArchiveEntries);
    }

    [Fact]
    public async Task A_part_whose_two_names_disagree_is_checked_under_both()
    {
        var message = "From: a@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            + "--b\r\nContent-Type: application/octet-stream; name=\"run.js\"\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n\r\nx()\r\n--b--\r\n";

        var scan = await ScanAsync(System.Text.Encoding.ASCII.GetBytes(message));

        Assert.Contains(scan.Files, f => f.Name == "notes.txt");
        Assert.Contains(scan.Files, f => f.Name == "run.js" && f.Type == FileType.Script);
    }

    [Fact]
    public async Task Control_characters_in_names_neither_reach_the_log_nor_hide_an_extension()
    {
        var zip = TestZips.Zip(("a\r\n2026-12-07 forged log line\u001b[31m.txt", "text"u8.ToArray()), ("run.j\u0001s", "x()"u8.ToArray()));

        var scan = await ScanAsync(TestZips.Message(("docs.zip", zip)));

        Assert.All(scan.Files, f => Assert.False(f.Path.Any(char.IsControl), f.Path));
        Assert.Contains(scan.Files, f => f.Path == "docs.zip/a??2026-12-07 forged log line?[31m.txt");
        // A mail program saving "run.j<SOH>s" drops the control character: it is a script.
        var script = scan.Files.Single(f => f.Path == "docs.zip/run.j?s");
        Assert.Equal("run.js", script.Name);
        Assert.Equal(FileType.Script, script.Type);
    }

    [Fact]
    public async Task Office_documents_are_told_from_plain_zips_and_macros_from_documents()
    {
        var docx = TestZips.Zip(("[Content_Types].xml", "<Types/>"u8.ToArray()), ("word/document.xml", "<w/>"u8.ToArray()));
        var docm = TestZips.Zip(("[Content_Types].xml", "<Types/>"u8.ToArray()), ("word/vbaProject.bin", [0xD0, 0xCF, 0x11, 0xE0]));
        var jar = TestZips.Zip(("META-INF/MANIFEST.MF", "Main-Class: A"u8.ToArray()), ("A.class", [0xCA, 0xFE, 0xBA, 0xBE]));

        var scan = await ScanAsync(TestZips.Message(("report.docx", docx), ("report.docx2", docm), ("tool.zip", jar)));

        Assert.Equal(FileType.Ooxml, scan.Files.Single(f => f.Path == "report.docx").Type);
        Assert.Equal(FileType.OfficeMacro, scan.Files.Single(f => f.Path == "report.docx2").Type);
        Assert.Equal(FileType.Jar, scan.Files.Single(f => f.Path == "tool.zip").Type);
    }

    private const string DocxTypes =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>";

    public static TheoryData<string, string, string> MacroDeclarations() => new()
    {
        // The VBA project under an image's name, found by its content type (what Office reads) alone.
        { "renamed-vba", DocxTypes + "<Override PartName=\"/word/media/image9.png\" ContentType=\"application/vnd.ms-office.vbaProject\"/></Types>", "utf-8" },
        { "char-reference", DocxTypes + "<Override PartName=\"/word/media/image9.png\" ContentType=\"application/vnd.ms-office.vba&#80;roject\"/></Types>", "utf-8" },
        { "utf-16", (DocxTypes + "<Override PartName=\"/word/media/image9.png\" ContentType=\"application/vnd.ms-office.vbaProject\"/></Types>").Replace("UTF-8", "UTF-16", StringComparison.Ordinal), "utf-16" },
        { "windows-1252", (DocxTypes + "<Override PartName=\"/word/media/image9.png\" ContentType=\"application/vnd.ms-office.vbaProject\"/></Types>").Replace("UTF-8", "windows-1252", StringComparison.Ordinal), "utf-8" },
        { "excel-4-macro-sheet", DocxTypes + "<Override PartName=\"/xl/macrosheets/sheet1.xml\" ContentType=\"application/vnd.ms-excel.macrosheet+xml\"/></Types>", "utf-8" },
    };

    [Theory]
    [MemberData(nameof(MacroDeclarations))]
    public async Task Macros_are_found_by_what_the_package_declares_not_by_a_part_name(string shape, string contentTypes, string encoding)
    {
        var types = encoding == "utf-16" ? [.. System.Text.Encoding.Unicode.GetPreamble(), .. System.Text.Encoding.Unicode.GetBytes(contentTypes)] : System.Text.Encoding.UTF8.GetBytes(contentTypes);
        var docm = TestZips.Zip(("[Content_Types].xml", types), ("word/document.xml", "<w/>"u8.ToArray()), ("word/media/image9.png", [0xD0, 0xCF, 0x11, 0xE0]));

        var scan = await ScanAsync(TestZips.Message(("report.docx", docm)));

        Assert.True(FileType.OfficeMacro == scan.Files.Single(f => f.Path == "report.docx").Type, shape);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task A_vba_relationship_in_a_rels_part_is_a_macro_and_a_plain_docx_is_not()
    {
        var types = System.Text.Encoding.UTF8.GetBytes(DocxTypes + "</Types>");
        const string Rels = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId9\" Type=\"http://schemas.microsoft.com/office/2006/relationships/vbaProject\" Target=\"media/image9.png\"/></Relationships>";
        var docm = TestZips.Zip(("[Content_Types].xml", types), ("word/_rels/document.xml.rels", System.Text.Encoding.UTF8.GetBytes(Rels)), ("word/document.xml", "<w/>"u8.ToArray()));
        var docx = TestZips.Zip(("[Content_Types].xml", types), ("word/document.xml", "<w/>"u8.ToArray()));

        var scan = await ScanAsync(TestZips.Message(("a.docx", docm), ("b.docx", docx)));

        Assert.Equal(FileType.OfficeMacro, scan.Files.Single(f => f.Path == "a.docx").Type);
        Assert.Equal(FileType.Ooxml, scan.Files.Single(f => f.Path == "b.docx").Type);
    }

    [Fact]
    public async Task A_binary_workbook_and_a_link_that_names_a_vba_project_are_no_macros()
    {
        // Every .xlsb's main part is of a "macroEnabled" type, macros or not; a link's Target is no declaration.
        var xlsbTypes = System.Text.Encoding.UTF8.GetBytes(
            "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"bin\" ContentType=\"application/vnd.ms-excel.sheetBinaryMacroEnabled\"/>"
            + "<Override PartName=\"/xl/workbook.bin\" ContentType=\"application/vnd.ms-excel.sheet.binary.macroEnabled.main\"/></Types>");
        var xlsb = TestZips.Zip(("[Content_Types].xml", xlsbTypes), ("xl/workbook.bin", new byte[64]));
        const string Rels = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" "
            + "Target=\"https://learn.microsoft.com/openspecs/office_file_formats/ms-ovba/vbaproject-stream\" TargetMode=\"External\"/></Relationships>";
        var docx = TestZips.Zip(
            ("[Content_Types].xml", System.Text.Encoding.UTF8.GetBytes(DocxTypes + "</Types>")),
            ("word/_rels/document.xml.rels", System.Text.Encoding.UTF8.GetBytes(Rels)),
            ("word/document.xml", "<w/>"u8.ToArray()));

        var scan = await ScanAsync(TestZips.Message(("book.xlsb", xlsb), ("notes.docx", docx)));

        Assert.Equal(FileType.Ooxml, scan.Files.Single(f => f.Path == "book.xlsb").Type);
        Assert.Equal(FileType.Ooxml, scan.Files.Single(f => f.Path == "notes.docx").Type);
    }

    [Fact]
    public async Task Package_parts_padded_past_the_limit_are_unreadable_not_trusted()
    {
        // Random text does not compress, so this is no bomb: only too long to be a real package part.
        var noise = new byte[OfficeMacroDeclarations.MaxLength * 3 / 4];
        new Random(4).NextBytes(noise);
        var padded = System.Text.Encoding.UTF8.GetBytes(DocxTypes + "<!--" + Convert.ToBase64String(noise) + "--></Types>");
        var docm = TestZips.Zip(("[Content_Types].xml", padded), ("word/document.xml", "<w/>"u8.ToArray()));

        var scan = await ScanAsync(TestZips.Message(("padded.docx", docm)));

        AssertOnlyIssue(scan, ScanIssueKind.Unreadable, "padded.docx", "Office package parts larger than");
    }

    [Fact]
    public async Task Nested_zips_are_opened_down_to_the_depth_and_deeper_ones_reported()
    {
        var level3 = TestZips.Zip(("deep.exe", Pe));
        var level2 = TestZips.Zip(("l3.zip", level3));
        var level1 = TestZips.Zip(("l2.zip", level2));

        var deepEnough = await ScanAsync(TestZips.Message(("l1.zip", level1)), AttachmentLimits.Default with { ArchiveDepth = 3 });
        var tooDeep = await ScanAsync(TestZips.Message(("l1.zip", level1)), AttachmentLimits.Default with { ArchiveDepth = 2 });

        var exe = Assert.Single(deepEnough.Files, f => f.Type == FileType.Pe);
        Assert.Equal("l1.zip/l2.zip/l3.zip/deep.exe", exe.Path);
        Assert.Equal(3, exe.Depth);
        Assert.Empty(deepEnough.Issues);
        Assert.DoesNotContain(tooDeep.Files, f => f.Type == FileType.Pe);
        var issue = Assert.Single(tooDeep.Issues);
        Assert.Equal(ScanIssueKind.TooDeep, issue.Kind);
        Assert.Equal("l1.zip/l2.zip/l3.zip", issue.Path);
    }

    [Fact]
    public async Task Encrypted_members_are_flagged_and_typed_by_name_only()
    {
        var secret = "not really ciphertext"u8.ToArray();
        var zip = TestZips.Raw(
            new TestZips.RawEntry("payload.js", secret, secret.Length, 0, Deflated: false, Encrypted: true),
            new TestZips.RawEntry("plain.txt", "hi"u8.ToArray(), 2, TestZips.Crc32("hi"u8), Deflated: false));

        var scan = await ScanAsync(TestZips.Message(("locked.zip", zip)));

        var locked = Assert.Single(scan.Files, f => f.Encrypted);
        Assert.Equal("locked.zip/payload.js", locked.Path);
        Assert.Equal(FileType.Script, locked.Type);
        Assert.False(scan.Files.Single(f => f.Path == "locked.zip/plain.txt").Encrypted);
    }

    [Fact]
    public async Task A_damaged_zip_is_reported_not_thrown()
    {
        var zip = TestZips.Zip(("a.txt", "hello"u8.ToArray()));
        var damaged = zip[..(zip.Length / 2)];

        var scan = await ScanAsync(TestZips.Message(("broken.zip", damaged)));

        Assert.Equal(ScanIssueKind.Unreadable, Assert.Single(scan.Issues).Kind);
        Assert.Equal(FileType.Zip, Assert.Single(scan.Files).Type);
    }

    [Fact]
    public async Task Too_many_members_are_a_bomb_before_the_directory_is_listed()
    {
        var entries = Enumerable.Range(0, 300).Select(i => ($"f{i}.txt", new byte[] { 1 })).ToArray();
        var zip = TestZips.Zip(entries);

        var scan = await ScanAsync(TestZips.Message(("many.zip", zip)), AttachmentLimits.Default with { MaxEntries = 100 });

        var issue = Assert.Single(scan.Issues);
        Assert.Equal(ScanIssueKind.Bomb, issue.Kind);
        Assert.Contains("300 archive members", issue.Detail, StringComparison.Ordinal);
        Assert.Equal(0, scan.ArchiveEntries);
    }

    [Fact]
    public async Task A_member_that_compresses_too_well_is_a_bomb_before_it_is_inflated()
    {
        // 64 MiB of zeros: within the 100 MiB budget, but a thousand to one.
        const long length = 64L * 1024 * 1024;
        var zip = TestZips.Raw(new TestZips.RawEntry("zeros.bin", TestZips.DeflatedZeros(length), length, TestZips.Crc32OfZeros(length)));

        var scan = await ScanAsync(TestZips.Message(("z.zip", zip)));

        var issue = Assert.Single(scan.Issues);
        Assert.Equal(ScanIssueKind.Bomb, issue.Kind);
        Assert.Contains("compression ratio", issue.Detail, StringComparison.Ordinal);
        Assert.Equal(0, scan.InflatedBytes);
    }

    /// <summary>
    /// Issue 13's zip bomb: ten zips of ten members of 100 MiB of zeros each, in one zip: 10 GiB claimed through
    /// nesting. Stored in the outer zip, the inner zips pass its ratio check; the first one opened claims 1 GiB, past the
    /// budget, and the scan stops having inflated about that one inner zip. Deflated in the outer zip, the inner zips
    /// compress so well that the outer one is a bomb by its ratio before anything is inflated.
    /// </summary>
    [Theory]
    [InlineData(false, "bomb.zip/inner0.zip", "claim")]
    [InlineData(true, "bomb.zip", "compression ratio")]
    public async Task Ten_gigabytes_of_zeros_claimed_through_nested_zips_are_a_bomb_without_being_inflated(bool deflatedOuter, string path, string why)
    {
        const long member = 100L * 1024 * 1024;
        var zeros = TestZips.DeflatedZeros(member);
        var crc = TestZips.Crc32OfZeros(member);
        var inner = TestZips.Raw([.. Enumerable.Range(0, 10).Select(i => new TestZips.RawEntry($"zeros{i}.bin", zeros, member, crc))]);
        var outer = deflatedOuter
            ? TestZips.Zip([.. Enumerable.Range(0, 10).Select(i => ($"inner{i}.zip", inner))])
            : TestZips.Raw([.. Enumerable.Range(0, 10).Select(i => new TestZips.RawEntry($"inner{i}.zip", inner, inner.Length, TestZips.Crc32(inner), Deflated: false))]);
        var message = TestZips.Message(("bomb.zip", outer));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var scan = await ScanAsync(message);
        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var issue = Assert.Single(scan.Issues);
        Assert.Equal(ScanIssueKind.Bomb, issue.Kind);
        Assert.Equal(path, issue.Path);
        Assert.Contains(why, issue.Detail, StringComparison.Ordinal);
        Assert.True(scan.InflatedBytes < 2L * inner.Length, $"inflated {scan.InflatedBytes} octets");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.True(allocated < 64L * 1024 * 1024 + (4L * message.Length), $"allocated {allocated} octets");
    }

    [Fact]
    public async Task A_member_that_lies_about_its_size_is_stopped_at_the_budget()
    {
        // Claims 1,000 octets; inflates to a zip signature and 40 MiB of zeros, more than the 8 MiB budget below. The
        // BCL stops reading a member at its declared size (so this "zip" ends up unreadable after 1,000 octets); were
        // it to read on, the scanner's own count would stop it at the budget.
        const long zeros = 40L * 1024 * 1024;
        using var data = new MemoryStream();
        using (var deflate = new System.IO.Compression.DeflateStream(data, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write("PK\u0003\u0004"u8);
            var chunk = new byte[1024 * 1024];
            for (var i = 0; i < zeros / chunk.Length; i++)
            {
                deflate.Write(chunk);
            }
        }

        var zip = TestZips.Raw(new TestZips.RawEntry("liar.zip", data.ToArray(), 1000, 0));
        var limits = AttachmentLimits.Default with { MaxExpanded = 8L * 1024 * 1024 };

        var scan = await ScanAsync(TestZips.Message(("outer.zip", zip)), limits);

        Assert.Contains(scan.Issues, i => i.Kind is ScanIssueKind.Bomb or ScanIssueKind.Unreadable);
        Assert.True(scan.InflatedBytes <= limits.MaxExpanded + (128 * 1024), $"inflated {scan.InflatedBytes} octets");
    }

    [Fact]
    public async Task A_thousand_parts_are_all_looked_at_and_more_than_the_limit_are_reported()
    {
        var message = new StringBuilder("From: a@example.org\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n");
        for (var i = 0; i < 1_000; i++)
        {
            message.Append("--p\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=f")
                .Append(i).Append(".bin\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n");
        }

        var bytes = Encoding.ASCII.GetBytes(message.Append("--p--\r\n").ToString());
        var clock = Stopwatch.StartNew();

        var all = await ScanAsync(bytes);
        var limited = await ScanAsync(bytes, AttachmentLimits.Default with { MaxParts = 100 });

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(1_000, all.Files.Count(f => f.Type == FileType.Pe));
        Assert.Empty(all.Issues);
        Assert.Equal(100, limited.Files.Count);
        Assert.Equal(ScanIssueKind.TooManyParts, Assert.Single(limited.Issues).Kind);
    }

    [Fact]
    public async Task A_hundred_deep_nesting_ends_in_one_opaque_part()
    {
        var message = new StringBuilder("From: a@example.org\r\nSubject: deep\r\nMIME-Version: 1.0\r\n");
        for (var i = 0; i < 100; i++)
        {
            message.Append("Content-Type: multipart/mixed; boundary=b").Append(i).Append("\r\n\r\n--b").Append(i).Append("\r\n");
        }

        message.Append("Content-Type: application/octet-stream; name=deep.exe\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n");
        for (var i = 99; i >= 0; i--)
        {
            message.Append("--b").Append(i).Append("--\r\n");
        }

        var clock = Stopwatch.StartNew();
        var scan = await ScanAsync(Encoding.ASCII.GetBytes(message.ToString()));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.True(scan.Parts >= 1);
    }

    [Fact]
    public async Task Broken_base64_decodes_to_what_it_decodes_to()
    {
        var message = Encoding.ASCII.GetBytes(
            "From: a@example.org\r\nSubject: b64\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
            "--b\r\nContent-Type: application/octet-stream; name=x.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            "TVqQ!!!%%%AAMA***AAAE===\r\n====\r\nnot base64 at all\r\n--b\r\n" +
            "Content-Type: application/octet-stream; name=y.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n====\r\n--b--\r\n");

        var scan = await ScanAsync(message);

        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Name == "x.bin").Type);
        Assert.Null(scan.Files.Single(f => f.Name == "y.bin").Type);
    }

    [Fact]
    public async Task A_50_megabyte_message_is_read_through_with_bounded_memory()
    {
        // 50 MB of base64 text, then an executable at the very end: all of it is read, little of it is kept.
        var body = new StringBuilder(
            "From: a@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
            "--b\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        var line = new string('A', 76) + "\r\n";
        while (body.Length < 50 * 1024 * 1024)
        {
            body.Append(line);
        }

        body.Append("--b\r\nContent-Type: application/octet-stream; name=last.exe\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b--\r\n");
        var message = Encoding.ASCII.GetBytes(body.ToString());
        body.Clear();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var scan = await ScanAsync(message);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.True(allocated < 8 * 1024 * 1024, $"allocated {allocated} octets");
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Name == "last.exe").Type);
    }

    [Fact]
    public async Task Noise_that_is_no_message_gives_an_empty_scan()
    {
        var noise = new byte[100_000];
        new Random(13).NextBytes(noise);

        var scan = await ScanAsync(noise);

        Assert.Empty(scan.Issues);
    }
}
