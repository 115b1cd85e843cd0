using System.Text;

namespace Gateway.Smtp.Protocol.Tests;

public sealed class BodyScannerTests
{
    private static BodyDefects Scan(string input, int maxLine = 1000, params int[] cuts)
    {
        var scanner = new BodyScanner(maxLine);
        var bytes = Encoding.Latin1.GetBytes(input);
        var start = 0;
        foreach (var cut in cuts.Append(bytes.Length))
        {
            scanner.Scan(bytes.AsSpan(start, cut - start));
            start = cut;
        }

        scanner.Complete();
        return scanner.Defects;
    }

    private static BodyDefects ScanAtEverySplit(string input, int maxLine = 1000)
    {
        var expected = Scan(input, maxLine);
        for (var k = 0; k <= input.Length; k++)
        {
            Assert.Equal(expected, Scan(input, maxLine, k));
        }

        var scanner = new BodyScanner(maxLine);
        foreach (var b in Encoding.Latin1.GetBytes(input))
        {
            scanner.Scan([b]);
        }

        scanner.Complete();
        Assert.Equal(expected, scanner.Defects);
        return expected;
    }

    [Theory]
    [InlineData("a\r\nb\r\n", BodyDefects.None)]
    [InlineData("", BodyDefects.None)]
    [InlineData("a\nb\r\n", BodyDefects.BareLineFeed)]
    [InlineData("a\rb\r\n", BodyDefects.BareCarriageReturn)]
    [InlineData("a\r\nb\r", BodyDefects.BareCarriageReturn)]
    [InlineData("a\r\r\n", BodyDefects.BareCarriageReturn)]
    [InlineData("a\0\r\n", BodyDefects.Nul)]
    [InlineData("\n\r\0", BodyDefects.BareLineFeed | BodyDefects.BareCarriageReturn | BodyDefects.Nul)]
    [InlineData("no line end at all", BodyDefects.None)]
    public void Defects(string input, BodyDefects expected)
    {
        Assert.Equal(expected, ScanAtEverySplit(input));
    }

    [Fact]
    public void Crlf_split_across_chunks_is_fine()
    {
        Assert.Equal(BodyDefects.None, Scan("abc\r\ndef\r\n", 1000, 4));
    }

    [Fact]
    public void Line_length_counts_the_crlf_and_resets_per_line()
    {
        Assert.Equal(BodyDefects.None, ScanAtEverySplit("12345678\r\n12345678\r\n", 10));
        Assert.Equal(BodyDefects.LineTooLong, ScanAtEverySplit("123456789\r\n", 10));
        Assert.Equal(BodyDefects.LineTooLong, ScanAtEverySplit("12345678901", 10));
        Assert.Equal(BodyDefects.BareLineFeed, ScanAtEverySplit("12345678\n12345678\r\n", 10));
        Assert.Equal(BodyDefects.BareCarriageReturn | BodyDefects.LineTooLong, ScanAtEverySplit("1234\r5678\r\n", 10));
    }

    [Fact]
    public void Bdat_chunks_spanning_megabytes_are_scanned_in_pieces()
    {
        var scanner = new BodyScanner(1000);
        var line = Encoding.ASCII.GetBytes(new string('x', 998) + "\r\n");
        for (var i = 0; i < 2000; i++)
        {
            scanner.Scan(line.AsSpan(0, 500));
            scanner.Scan(line.AsSpan(500));
        }

        scanner.Complete();
        Assert.Equal(BodyDefects.None, scanner.Defects);
    }
}
