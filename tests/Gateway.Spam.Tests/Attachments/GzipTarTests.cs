using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Gateway.Spam.Attachments;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>gzip and tar attachments: what they hold is typed like a zip's members, and a gzip bomb stops at the budget.</summary>
public sealed class GzipTarTests
{
    private static readonly byte[] Pe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0];

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    private static byte[] GzippedZeros(long length)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var left = length; left > 0; left -= zeros.Length)
            {
                gzip.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
            }
        }

        return output.ToArray();
    }

    private static byte[] Tar(params (string Name, byte[] Content)[] entries)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "bin/"));
            foreach (var (name, content) in entries)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            }
        }

        return output.ToArray();
    }

    [Fact]
    public async Task An_executable_in_a_gzip_is_found_by_its_content_and_named_without_gz()
    {
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("invoice.pdf.gz", Gzip(Pe))));

        Assert.Equal(FileType.Gzip, scan.Files.Single(f => f.Depth == 0).Type);
        var inner = scan.Files.Single(f => f.Depth == 1);
        Assert.Equal("invoice.pdf.gz/invoice.pdf", inner.Path);
        Assert.Equal(FileType.Pe, inner.Type);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task The_members_of_a_tar_gz_are_typed_one_by_one()
    {
        var tgz = Gzip(Tar(("readme.txt", "read me"u8.ToArray()), ("bin/setup", Pe), ("run.sh", "#!/bin/sh\necho hi\n"u8.ToArray())));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("release.tgz", tgz)));

        Assert.Equal(FileType.Gzip, scan.Files.Single(f => f.Path == "release.tgz").Type);
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "release.tgz/bin/setup").Type);
        Assert.Equal(1, scan.Files.Single(f => f.Path == "release.tgz/bin/setup").Depth);
        Assert.Null(scan.Files.Single(f => f.Path == "release.tgz/readme.txt").Type);
        Assert.DoesNotContain(scan.Files, f => f.Path == "release.tgz/bin/");
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task A_zip_in_a_gzip_and_a_gzip_in_a_zip_are_opened()
    {
        var zipInGzip = Gzip(TestZips.Zip(("setup.exe", Pe)));
        var gzipInZip = TestZips.Zip(("tool.exe.gz", Gzip(Pe)));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("docs.zip.gz", zipInGzip), ("tools.zip", gzipInZip)));

        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "docs.zip.gz/docs.zip/setup.exe").Type);
        Assert.Equal(FileType.Zip, scan.Files.Single(f => f.Path == "docs.zip.gz/docs.zip").Type);
        Assert.Equal(FileType.Gzip, scan.Files.Single(f => f.Path == "tools.zip/tool.exe.gz").Type);
        Assert.Equal(FileType.Pe, scan.Files.Single(f => f.Path == "tools.zip/tool.exe.gz/tool.exe").Type);
        Assert.Empty(scan.Issues);
    }

    [Fact]
    public async Task A_gzip_bomb_stops_at_the_inflation_budget_in_bounded_time()
    {
        var bomb = GzippedZeros(64L * 1024 * 1024);
        var limits = AttachmentLimits.Default with { MaxExpanded = 16L * 1024 * 1024 };
        var clock = Stopwatch.StartNew();

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("zeros.bin.gz", bomb)), limits);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), clock.Elapsed.ToString());
        var issue = Assert.Single(scan.Issues);
        Assert.Equal(ScanIssueKind.Bomb, issue.Kind);
        Assert.Contains("passed", issue.Detail, StringComparison.Ordinal);
        Assert.True(scan.InflatedBytes <= limits.MaxExpanded);
    }

    [Fact]
    public async Task A_gzip_that_inflates_far_beyond_its_size_is_a_bomb_by_its_ratio()
    {
        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("zeros.bin.gz", GzippedZeros(8L * 1024 * 1024))));

        var issue = Assert.Single(scan.Issues);
        Assert.Equal(ScanIssueKind.Bomb, issue.Kind);
        Assert.Contains("compression ratio", issue.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_gzip_is_reported_as_unreadable_not_a_crash()
    {
        var damaged = Gzip(Tar(("a.txt", new byte[20_000])));
        Array.Fill(damaged, (byte)0x55, 20, damaged.Length - 40);

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("broken.tar.gz", damaged)));

        Assert.Equal(FileType.Gzip, scan.Files.Single(f => f.Depth == 0).Type);
        Assert.Contains(scan.Issues, i => i.Kind == ScanIssueKind.Unreadable);
    }
}
