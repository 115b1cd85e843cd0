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
}
