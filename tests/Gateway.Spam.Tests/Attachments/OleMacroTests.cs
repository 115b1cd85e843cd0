using System.Diagnostics;
using Gateway.Spam.Attachments;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>Word and Excel 97-2003 files (OLE compound files): a VBA project in the directory makes one office-macro.</summary>
public sealed class OleMacroTests
{
    [Fact]
    public async Task A_doc_with_a_vba_project_is_office_macro_and_one_without_is_ole()
    {
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("invoice.doc", TestOle.Document(macros: true)), ("minutes.doc", TestOle.Document(macros: false))));

        Assert.Equal(FileType.OfficeMacro, scan.Files.Single(f => f.Path == "invoice.doc").Type);
        Assert.Equal(FileType.Ole, scan.Files.Single(f => f.Path == "minutes.doc").Type);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task A_macro_document_in_a_zip_and_in_a_gzip_is_found()
    {
        var zip = TestZips.Zip(("scan/invoice.xls", TestOle.Document(macros: true)));
        using var gz = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(gz, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(TestOle.Document(macros: true));
        }

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("invoice.zip", zip), ("order.xls.gz", gz.ToArray())));

        Assert.Equal(FileType.OfficeMacro, scan.Files.Single(f => f.Path == "invoice.zip/scan/invoice.xls").Type);
        Assert.Equal(FileType.OfficeMacro, scan.Files.Single(f => f.Path == "order.xls.gz/order.xls").Type);
        Assert.Empty(scan.Issues);
    }

    [Theory]
    [InlineData(1u, "loops")]
    [InlineData(900u, "leaves the file")]
    public async Task A_directory_chain_that_loops_or_leaves_the_file_is_unreadable(uint next, string reason)
    {
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("broken.doc", TestOle.Document(macros: false, directoryNext: next))));

        Assert.Equal(FileType.Ole, scan.Files.Single(f => f.Path == "broken.doc").Type);
        var issue = Assert.Single(scan.Issues);
        Assert.Equal(ScanIssueKind.Unreadable, issue.Kind);
        Assert.Contains(reason, issue.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cut_short_file_is_unreadable_not_a_crash()
    {
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("cut.doc", TestOle.Document(macros: true)[..700])));

        Assert.Equal(ScanIssueKind.Unreadable, Assert.Single(scan.Issues).Kind);
    }

    [Theory]
    [InlineData(true, "Macros/VBA/_VBA_PROJECT")]
    [InlineData(false, "ObjectPool/Pictures/Data")]
    public async Task The_test_files_read_the_same_with_python_olefile(bool macros, string path)
    {
        // Debian's python3-olefile, another reader of the format, lists the storages and streams our reader judged.
        var listing = await PythonAsync("import olefile, sys\nole = olefile.OleFileIO(sys.argv[1])\nprint('\\n'.join('/'.join(p) for p in ole.listdir(streams=True, storages=True)))", TestOle.Document(macros));

        Assert.Contains(path, listing.Split('\n', StringSplitOptions.TrimEntries));
        Assert.Contains("WordDocument", listing.Split('\n', StringSplitOptions.TrimEntries));
    }

    private static readonly (string, byte)[] WithMacroSheet = [("Sheet1", 0), ("Macro1", 1)];

    private static readonly (string, byte)[] Worksheets = [("Sheet1", 0), ("Sheet2", 0)];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_xls_declaring_an_excel_4_macro_sheet_is_office_macro(bool mini)
    {
        // Excel 4.0 macros need no VBA project: the workbook's sheet list declares a macro sheet, which runs from an
        // Auto_Open name. A workbook under 4096 octets lives in the mini stream.
        var length = mini ? 0 : 6000;
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(
            ("invoice.xls", TestOle.Workbook(TestOle.Biff(WithMacroSheet, minimumLength: length), mini)),
            ("report.xls", TestOle.Workbook(TestOle.Biff(Worksheets, minimumLength: length), mini))));

        Assert.Equal(FileType.OfficeMacro, scan.Files.Single(f => f.Path == "invoice.xls").Type);
        Assert.Equal(FileType.Ole, scan.Files.Single(f => f.Path == "report.xls").Type);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task A_password_encrypted_workbook_hides_its_sheet_kinds_and_is_unreadable()
    {
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("locked.xls", TestOle.Workbook(TestOle.Biff(WithMacroSheet, encrypted: true, minimumLength: 6000), mini: false))));

        Assert.Equal(FileType.Ole, scan.Files.Single(f => f.Path == "locked.xls").Type);
        AttachmentScannerTests.AssertOnlyIssue(scan, ScanIssueKind.Unreadable, "locked.xls", "password-encrypted Excel workbook");
    }

    [Fact]
    public async Task A_workbook_chain_that_leaves_the_file_is_unreadable()
    {
        var file = TestOle.Workbook(TestOle.Biff(WithMacroSheet, minimumLength: 6000), mini: false);

        // The FAT entry of the workbook's first sector (2) points past the end of the file.
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(512 + 8), 5000);
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("broken.xls", file)));

        AttachmentScannerTests.AssertOnlyIssue(scan, ScanIssueKind.Unreadable, "broken.xls", "leaves the file");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_test_workbooks_read_the_same_with_python_xlrd(bool mini)
    {
        // Debian's python3-xlrd, another reader of the format, finds the worksheet and names the macro sheet it skips.
        var output = await PythonAsync(
            "import xlrd, sys\nbook = xlrd.open_workbook(sys.argv[1], verbosity=1, logfile=sys.stdout)\nprint('sheets', book.sheet_names())",
            TestOle.Workbook(TestOle.Biff(WithMacroSheet, minimumLength: mini ? 0 : 6000), mini));

        Assert.Contains("Ignoring non-worksheet data named 'Macro1' (type 0x01 = Macro sheet)", output, StringComparison.Ordinal);
        Assert.Contains("sheets ['Sheet1']", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Damaged_workbooks_only_ever_type_or_report_damage()
    {
        var random = new Random(20261207);
        byte[][] sources = [TestOle.Workbook(TestOle.Biff(WithMacroSheet, minimumLength: 6000), mini: false), TestOle.Workbook(TestOle.Biff(WithMacroSheet), mini: true)];
        for (var round = 0; round < 400; round++)
        {
            var file = sources[round % 2].ToArray();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                // Mostly the header, the FAT, the mini FAT and the directory, where damage changes what is followed.
                var at = random.Next(0, random.Next(2) == 0 ? Math.Min(file.Length, 2048) : file.Length);
                file[at] = (byte)random.Next(256);
            }

            var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("fuzz.xls", file)));

            Assert.Contains(scan.Files.Single(f => f.Path == "fuzz.xls").Type, new FileType?[] { FileType.Ole, FileType.OfficeMacro, null });
            Assert.All(scan.Issues, i => Assert.Equal(ScanIssueKind.Unreadable, i.Kind));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_ppt_whose_document_declares_a_vba_project_is_office_macro(bool mini)
    {
        // PowerPoint keeps the project inside its document stream: the VBAInfoContainer says it is there.
        var length = mini ? 0 : 9000;
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(
            ("deck.ppt", TestOle.Workbook(TestOle.Presentation(vba: true, minimumLength: length), mini, "PowerPoint Document")),
            ("plain.ppt", TestOle.Workbook(TestOle.Presentation(vba: false, minimumLength: length), mini, "PowerPoint Document")),
            ("emptied.ppt", TestOle.Workbook(TestOle.Presentation(vba: true, hasMacros: 0, minimumLength: length), mini, "PowerPoint Document"))));

        Assert.Equal(FileType.OfficeMacro, scan.Files.Single(f => f.Path == "deck.ppt").Type);
        Assert.Equal(FileType.Ole, scan.Files.Single(f => f.Path == "plain.ppt").Type);
        Assert.Equal(FileType.Ole, scan.Files.Single(f => f.Path == "emptied.ppt").Type);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task The_test_presentations_read_as_ole_files_with_python_olefile()
    {
        // olefile finds the stream and its octets where the directory and the FAT say they are.
        var presentation = TestOle.Presentation(vba: true, minimumLength: 9000);
        var output = await PythonAsync(
            "import olefile, sys, hashlib\nole = olefile.OleFileIO(sys.argv[1])\nprint(hashlib.sha256(ole.openstream('PowerPoint Document').read()).hexdigest())",
            TestOle.Workbook(presentation, mini: false, "PowerPoint Document"));

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(presentation)), output.Trim());
    }

    /// <summary>
    /// A workbook whose directory lists a BIFF5 "Book" stream (empty) before the "Workbook" stream holding the sheet
    /// list; both are children of the root.
    /// </summary>
    private static byte[] WorkbookBehindABook()
    {
        var file = TestOle.Workbook(TestOle.Biff(WithMacroSheet, minimumLength: 6000), mini: false);
        var first = file.AsSpan(1024 + 128, 128);
        first.CopyTo(file.AsSpan(1024 + 256, 128));
        first.Clear();
        var name = System.Text.Encoding.Unicode.GetBytes("Book");
        name.CopyTo(first);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(first[0x40..], (ushort)(name.Length + 2));
        first[0x42] = 2;
        first[0x43] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(first[0x44..], 0xFFFFFFFF);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(first[0x48..], 2);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(first[0x4C..], 0xFFFFFFFF);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(first[0x74..], 0xFFFFFFFE);
        return file;
    }

    [Fact]
    public async Task A_decoy_book_stream_does_not_hide_the_workbooks_macro_sheet()
    {
        // Excel (and xlrd) read the "Workbook" stream when there is one and "Book" only without it; the scanner reads
        // whichever the directory lists first, here an empty "Book", and calls the file clean.
        var file = WorkbookBehindABook();
        var output = await PythonAsync(
            "import xlrd, sys\nbook = xlrd.open_workbook(sys.argv[1], verbosity=1, logfile=sys.stdout)\nprint('sheets', book.sheet_names())", file);
        Assert.Contains("Ignoring non-worksheet data named 'Macro1' (type 0x01 = Macro sheet)", output, StringComparison.Ordinal);

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("invoice.xls", file)));

        Assert.Equal(FileType.OfficeMacro, scan.Files.Single(f => f.Path == "invoice.xls").Type);
    }

    [Fact]
    public async Task A_sheet_list_past_the_read_limit_is_not_taken_for_no_macros()
    {
        // The globals are read for 1 MiB; a BoundSheet8 after that (here behind 1.1 MiB of records readers skip) ends
        // the read "cut short", which is taken for a clean workbook with no issue at all.
        var biff = TestOle.Biff(WithMacroSheet, minimumLength: 6000);
        using var padded = new MemoryStream();
        padded.Write(biff.AsSpan(0, 20));
        for (var i = 0; i < 560; i++)
        {
            // An unknown record type (0x0897) of 2,048 octets, which Excel and xlrd skip.
            padded.Write([0x97, 0x08, 0x00, 0x08]);
            padded.Write(new byte[2048]);
        }

        padded.Write(biff.AsSpan(20));
        var stream = padded.ToArray();

        // The BoundSheet8 records' lbPlyPos fields point into the sheets' substreams, moved by the padding.
        for (var at = 20 + (560 * 2052); ;)
        {
            var type = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(stream.AsSpan(at));
            var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(stream.AsSpan(at + 2));
            if (type == 0x000A)
            {
                break;
            }

            if (type == 0x0085)
            {
                var position = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(at + 4));
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(stream.AsSpan(at + 4), position + (560 * 2052));
            }

            at += 4 + length;
        }

        var file = TestOle.Workbook(stream, mini: false);
        var output = await PythonAsync(
            "import xlrd, sys\nbook = xlrd.open_workbook(sys.argv[1], verbosity=1, logfile=sys.stdout)\nprint('sheets', book.sheet_names())", file);
        Assert.Contains("Ignoring non-worksheet data named 'Macro1' (type 0x01 = Macro sheet)", output, StringComparison.Ordinal);

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("invoice.xls", file)));

        Assert.True(
            scan.Files.Single(f => f.Path == "invoice.xls").Type == FileType.OfficeMacro || scan.Issues.Any(i => i.Kind == ScanIssueKind.Unreadable),
            "a macro sheet past the read limit passed as a clean workbook");
    }

    /// <summary>Runs Debian's Python on <paramref name="script"/> with <paramref name="file"/> saved as its argument; its output.</summary>
    private static async Task<string> PythonAsync(string script, byte[] file)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, file);
            var info = new ProcessStartInfo("/usr/bin/python3", ["-c", script, path])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var python = Process.Start(info)!;
            var output = python.StandardOutput.ReadToEndAsync();
            var errors = await python.StandardError.ReadToEndAsync();
            await python.WaitForExitAsync();

            Assert.True(python.ExitCode == 0, errors + await output);
            return await output;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
