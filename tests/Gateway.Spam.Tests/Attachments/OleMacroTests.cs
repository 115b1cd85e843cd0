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
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, TestOle.Document(macros));
            var info = new ProcessStartInfo("/usr/bin/python3", ["-c", "import olefile, sys\nole = olefile.OleFileIO(sys.argv[1])\nprint('\\n'.join('/'.join(p) for p in ole.listdir(streams=True, storages=True)))", file])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var python = Process.Start(info)!;
            var listing = await python.StandardOutput.ReadToEndAsync();
            var errors = await python.StandardError.ReadToEndAsync();
            await python.WaitForExitAsync();

            Assert.True(python.ExitCode == 0, errors);
            Assert.Contains(path, listing.Split('\n', StringSplitOptions.TrimEntries));
            Assert.Contains("WordDocument", listing.Split('\n', StringSplitOptions.TrimEntries));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
