using System.Buffers;
using System.Text;

namespace Gateway.Smtp.Protocol.Tests;

public sealed class CommandLineReaderTests
{
    private static List<(LineStatus Status, string Line)> ReadAll(CommandLineReader reader, IEnumerable<byte[]> chunks, out byte[] rest)
    {
        var results = new List<(LineStatus, string)>();
        byte[] pending = [];
        foreach (var chunk in chunks)
        {
            var buffer = Segments.Create(pending, chunk);
            while (reader.TryRead(ref buffer, out var result))
            {
                Assert.NotEqual(LineStatus.Incomplete, result.Status);
                results.Add((result.Status, Encoding.Latin1.GetString(result.Line.ToArray())));
            }

            pending = buffer.ToArray();
        }

        rest = pending;
        return results;
    }

    private static void AssertAtEverySplit(string input, int max, (LineStatus, string)[] expected, string expectedRest = "")
    {
        var bytes = Encoding.Latin1.GetBytes(input);
        foreach (var split in Segments.Splits(bytes))
        {
            var results = ReadAll(new CommandLineReader(max), split, out var rest);
            Assert.Equal(expected, results);
            Assert.Equal(expectedRest, Encoding.Latin1.GetString(rest));
        }
    }

    [Fact]
    public void Splits_crlf_lines_and_keeps_the_incomplete_tail()
    {
        AssertAtEverySplit(
            "EHLO a\r\nMAIL FROM:<x@y>\r\n\r\nQUI",
            512,
            [(LineStatus.Complete, "EHLO a"), (LineStatus.Complete, "MAIL FROM:<x@y>"), (LineStatus.Complete, "")],
            "QUI");
    }

    [Fact]
    public void Bare_lf_is_reported_with_the_text_before_it()
    {
        AssertAtEverySplit(
            "NOOP\nRSET\r\n",
            512,
            [(LineStatus.BareLineFeed, "NOOP"), (LineStatus.Complete, "RSET")]);
    }

    [Fact]
    public void Lone_cr_inside_a_line_stays_in_the_line_for_the_parser_to_refuse()
    {
        AssertAtEverySplit("NO\rOP\r\n", 512, [(LineStatus.Complete, "NO\rOP")]);
    }

    [Fact]
    public void Line_of_exactly_the_limit_is_complete()
    {
        var line = new string('a', 510);
        AssertAtEverySplit(line + "\r\n", 512, [(LineStatus.Complete, line)]);
    }

    [Fact]
    public void Line_one_over_the_limit_is_too_long_and_the_next_line_survives()
    {
        var line = new string('a', 511);
        AssertAtEverySplit(line + "\r\nNOOP\r\n", 512, [(LineStatus.TooLong, ""), (LineStatus.Complete, "NOOP")]);
    }

    [Fact]
    public void Too_long_is_reported_once_as_soon_as_the_limit_is_crossed()
    {
        var reader = new CommandLineReader(16);
        var buffer = Segments.Create(Encoding.ASCII.GetBytes(new string('x', 16)));

        Assert.True(reader.TryRead(ref buffer, out var result));
        Assert.Equal(LineStatus.TooLong, result.Status);
        Assert.True(buffer.IsEmpty);
        Assert.True(reader.IsDiscarding);

        // The rest of the monster line is discarded silently, however it arrives.
        for (var i = 0; i < 100; i++)
        {
            buffer = Segments.Create(Encoding.ASCII.GetBytes(new string('y', 1000)));
            Assert.False(reader.TryRead(ref buffer, out _));
            Assert.True(buffer.IsEmpty);
        }

        buffer = Segments.Create(Encoding.ASCII.GetBytes("zzz\r\nQUIT\r\n"));
        Assert.True(reader.TryRead(ref buffer, out result));
        Assert.Equal(LineStatus.Complete, result.Status);
        Assert.Equal("QUIT", Encoding.ASCII.GetString(result.Line.ToArray()));
        Assert.False(reader.IsDiscarding);
    }

    [Fact]
    public void Overlong_line_with_its_lf_in_view_is_reported_once_without_discarding()
    {
        AssertAtEverySplit(new string('b', 40) + "\nNOOP\r\n", 16, [(LineStatus.TooLong, ""), (LineStatus.Complete, "NOOP")]);
    }

    [Fact]
    public void Max_line_length_can_be_raised_for_auth()
    {
        var reader = new CommandLineReader(SmtpDefaults.CommandLineLength);
        var response = new string('Q', 4000);
        var buffer = Segments.Create(Encoding.ASCII.GetBytes(response + "\r\n"));

        reader.MaxLineLength = SmtpDefaults.AuthLineLength;

        Assert.True(reader.TryRead(ref buffer, out var result));
        Assert.Equal(LineStatus.Complete, result.Status);
        Assert.Equal(4000, result.Line.Length);
    }

    [Fact]
    public void Incomplete_input_leaves_the_buffer_untouched()
    {
        var reader = new CommandLineReader(512);
        var buffer = Segments.Create(Encoding.ASCII.GetBytes("EHLO"), Encoding.ASCII.GetBytes(" host\r"));

        Assert.False(reader.TryRead(ref buffer, out var result));
        Assert.Equal(LineStatus.Incomplete, result.Status);
        Assert.Equal(10, buffer.Length);
    }

    [Fact]
    public void Limit_below_three_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CommandLineReader(2));
    }
}
