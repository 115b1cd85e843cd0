using Gateway.Spam.Attachments;
using Gateway.Testing.Peers;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>
/// Files compressed alone with bzip2, xz or Zstandard (made by Debian's tools), which .NET cannot decode: typed by
/// their magic number and taken at their inner name's word, as Windows 11 and 7-Zip save them.
/// </summary>
public sealed class CompressedFileTests
{
    private static readonly byte[] Pe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0];

    /// <summary><paramref name="content"/> compressed by <paramref name="tool"/> (which writes FILE.ext next to FILE).</summary>
    private static async Task<byte[]> CompressAsync(string tool, string extension, byte[] content)
    {
        var directory = Gateway.Testing.TestDirectories.CreateTemp("gw-compressed");
        try
        {
            var file = Path.Combine(directory, "content");
            await File.WriteAllBytesAsync(file, content);
            var (exitCode, output) = await ExternalTool.RunAsync(tool, ["-q", file], TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, output);
            return await File.ReadAllBytesAsync(file + extension);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("bzip2", ".bz2", "bzip2")]
    [InlineData("xz", ".xz", "xz")]
    [InlineData("zstd", ".zst", "zstd")]
    public async Task A_compressed_executable_is_checked_under_its_inner_name(string tool, string extension, string type)
    {
        var compressed = await CompressAsync(tool, extension, Pe);

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(
            ("invoice.pdf.exe" + extension, compressed),
            ("notes.txt" + extension, compressed),
            ("docs.zip", TestZips.Zip(("scan/run.js" + extension, compressed)))));

        Assert.Equal(type, scan.Files.Single(f => f.Path == "invoice.pdf.exe" + extension).Type?.Name);
        var inner = scan.Files.Single(f => f.Path == "invoice.pdf.exe" + extension + "/invoice.pdf.exe");
        Assert.Equal((FileType.Pe, 1), (inner.Type, inner.Depth));
        Assert.DoesNotContain(scan.Files, f => f.Path.StartsWith("notes.txt" + extension + "/", StringComparison.Ordinal));
        Assert.Equal((FileType.Script, 2), scan.Files.Where(f => f.Path == "docs.zip/scan/run.js" + extension + "/run.js").Select(f => (f.Type, f.Depth)).Single());
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task A_compressed_file_listed_by_name_in_a_rar_is_checked_under_its_inner_name_too()
    {
        var rar = TestRar.Rar5(false, new TestRar.Member5("tools/update.cmd.xz", [0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0]));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("tools.rar", rar)));

        Assert.Equal(FileType.Script, scan.Files.Single(f => f.Path == "tools.rar/tools/update.cmd.xz/update.cmd").Type);
    }
    [Fact]
    public async Task A_file_compressed_twice_is_checked_under_its_innermost_name()
    {
        // "run.exe.xz.bz2" unpacks to "run.exe.xz", which unpacks to "run.exe": only the first step is taken, as the
        // names added are never looked at again.
        var compressed = await CompressAsync("bzip2", ".bz2", await CompressAsync("xz", ".xz", Pe));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("run.exe.xz.bz2", compressed)));

        Assert.Contains(scan.Files, f => f.Name == "run.exe" && f.Type == FileType.Pe);
    }

    [Fact]
    public async Task A_zstd_file_that_opens_with_a_pdf_header_in_a_skippable_frame_is_checked_under_its_inner_name()
    {
        // A Zstandard file may open with skippable frames of any content, which decoders pass over: one holding
        // "%PDF-" makes the file a PDF by its first octets, and a PDF is not looked at under its inner name.
        var frame = await CompressAsync("zstd", ".zst", Pe);
        var text = "%PDF-1.7 skipped"u8.ToArray();
        byte[] skippable = [0x50, 0x2A, 0x4D, 0x18, (byte)text.Length, 0, 0, 0, .. text];
        byte[] file = [.. skippable, .. frame];

        var directory = Gateway.Testing.TestDirectories.CreateTemp("gw-zstd");
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, "a.zst"), file);
            var (exitCode, output) = await ExternalTool.RunAsync("zstd", ["-q", "-d", Path.Combine(directory, "a.zst"), "-o", Path.Combine(directory, "a")], TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, output);
            Assert.Equal(Pe, await File.ReadAllBytesAsync(Path.Combine(directory, "a")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("invoice.exe.zst", file)));

        Assert.Contains(scan.Files, f => f.Name == "invoice.exe" && f.Type == FileType.Pe);
    }
    [Fact]
    public async Task A_name_of_many_compressor_extensions_costs_no_more_than_a_few_layers()
    {
        // Each layer's path holds the layer before it: unpacking every ".xz" of a 63,000-character zip member name
        // would build paths of gigabytes. A few layers are unpacked and the rest reported.
        var name = "a.exe" + string.Concat(Enumerable.Repeat(".xz", 21_000));
        var zip = TestZips.Zip((name, [0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0]));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("deep.zip", zip)));

        Assert.True(scan.Files.Count < 10, scan.Files.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(scan.Issues, i => i.Kind == ScanIssueKind.TooDeep);
    }
    [Fact]
    public async Task A_unix_compress_file_is_checked_under_its_inner_name()
    {
        // "run.exe.Z" (LZW, magic 1F 9D) is unpacked by 7-Zip and gzip -d under "run.exe"; it is no gzip, so the gzip
        // reader never sees it, and ".Z" is not among the compressors whose inner name is checked. Here the codes of
        // the executable's octets, nine bits each (no dictionary use), which gzip -d reads back.
        byte[] file = [0x1F, 0x9D, 0x90, 0x4D, 0xB4, 0x40, 0x02, 0x30, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00];
        var directory = Gateway.Testing.TestDirectories.CreateTemp("gw-compress");
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, "run.exe.Z"), file);
            var (exitCode, output) = await ExternalTool.RunAsync("gzip", ["-d", Path.Combine(directory, "run.exe.Z")], TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, output);
            Assert.Equal(Pe, await File.ReadAllBytesAsync(Path.Combine(directory, "run.exe")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("run.exe.Z", file)));

        Assert.Contains(scan.Files, f => f.Name == "run.exe" && f.Type == FileType.Pe);
    }
}
