using Gateway.Spam.Attachments;
using Gateway.Testing.Peers;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>7z archives made by Debian's 7-Zip (7zz): not unpacked, but their encryption is reported where the header shows it.</summary>
public sealed class SevenZipTests
{
    private static readonly byte[] Pe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0];

    /// <summary>An archive of setup.exe made by 7zz with the given switches.</summary>
    private static async Task<byte[]> SevenZipAsync(params string[] switches)
    {
        var directory = Gateway.Testing.TestDirectories.CreateTemp("gw-7z");
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, "setup.exe"), Pe);
            var archive = Path.Combine(directory, "out.7z");
            var (exitCode, output) = await ExternalTool.RunAsync("7zz", ["a", "-bd", .. switches, archive, Path.Combine(directory, "setup.exe")], TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, output);
            return await File.ReadAllBytesAsync(archive);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("-pSecret -mhe=on", "7z archive with encrypted headers")]
    [InlineData("-pSecret", "7z archive with encrypted members")]
    public async Task Encryption_the_header_shows_is_reported(string switches, string detail)
    {
        var archive = await SevenZipAsync(switches.Split(' '));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("files.7z", archive), ("more.zip", TestZips.Zip(("inner.7z", archive)))));

        Assert.Equal(FileType.SevenZip, scan.Files.Single(f => f.Path == "files.7z").Type);
        Assert.Contains(scan.Issues, i => i.Kind == ScanIssueKind.Unreadable && i.Path == "files.7z" && i.Detail.StartsWith(detail, StringComparison.Ordinal));
        Assert.Contains(scan.Issues, i => i.Kind == ScanIssueKind.Unreadable && i.Path == "more.zip/inner.7z" && i.Detail.StartsWith(detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plain_archive_has_no_issue_and_a_cut_one_is_damaged()
    {
        var archive = await SevenZipAsync();

        var plain = await AttachmentScannerTests.ScanAsync(TestZips.Message(("files.7z", archive)));
        var cut = await AttachmentScannerTests.ScanAsync(TestZips.Message(("cut.7z", archive[..40])));

        Assert.Empty(plain.Issues);
        AttachmentScannerTests.AssertOnlyIssue(cut, ScanIssueKind.Unreadable, "cut.7z", "damaged 7z archive");
    }
}
