using System.Buffers;
using System.Text;

namespace Gateway.Smtp.Protocol.Tests;

public sealed class DataBodyReaderTests
{
    private sealed record Outcome(bool Ended, string Body, string Rest, BodyDefects Defects, long Length);

    private static Outcome Run(IEnumerable<byte[]> chunks, int maxLine = SmtpDefaults.TextLineLength)
    {
        var reader = new DataBodyReader(maxLine);
        var output = new ArrayBufferWriter<byte>();
        byte[] pending = [];
        var ended = false;
        foreach (var chunk in chunks)
        {
            var buffer = Segments.Create(pending, chunk);
            if (ended)
            {
                pending = buffer.ToArray();
                continue;
            }

            ended = reader.Read(ref buffer, output);
            pending = buffer.ToArray();
            Assert.Equal(ended, reader.IsComplete);
        }

        Assert.Equal(output.WrittenCount, reader.BodyLength);
        return new Outcome(ended, Encoding.Latin1.GetString(output.WrittenSpan), Encoding.Latin1.GetString(pending), reader.Defects, reader.BodyLength);
    }

    /// <summary>Runs the input split at every position and one octet at a time; all runs must agree.</summary>
    private static Outcome RunAtEverySplit(string input, int maxLine = SmtpDefaults.TextLineLength)
    {
        var bytes = Encoding.Latin1.GetBytes(input);
        Outcome? first = null;
        foreach (var split in Segments.Splits(bytes))
        {
            var outcome = Run(split, maxLine);
            first ??= outcome;
            Assert.Equal(first, outcome);
        }

        return first!;
    }

    [Fact]
    public void Simple_body_keeps_the_final_crlf_and_leaves_pipelined_commands()
    {
        var outcome = RunAtEverySplit("Subject: x\r\n\r\nHello\r\n.\r\nQUIT\r\n");

        Assert.True(outcome.Ended);
        Assert.Equal("Subject: x\r\n\r\nHello\r\n", outcome.Body);
        Assert.Equal("QUIT\r\n", outcome.Rest);
        Assert.Equal(BodyDefects.None, outcome.Defects);
    }

    [Fact]
    public void Empty_body_ends_at_a_dot_on_the_first_line()
    {
        var outcome = RunAtEverySplit(".\r\nRSET\r\n");

        Assert.True(outcome.Ended);
        Assert.Equal(string.Empty, outcome.Body);
        Assert.Equal(0, outcome.Length);
        Assert.Equal("RSET\r\n", outcome.Rest);
    }

    [Theory]
    [InlineData("..x\r\n.\r\n", ".x\r\n")]
    [InlineData("..\r\n.\r\n", ".\r\n")]
    [InlineData("a\r\n...\r\n.\r\n", "a\r\n..\r\n")]
    [InlineData(".x\r\n.\r\n", "x\r\n")]
    [InlineData("a.\r\n.b.\r\n.\r\n", "a.\r\nb.\r\n")]
    [InlineData("line\r\n. \r\n.\r\n", "line\r\n \r\n")]
    public void Dot_unstuffing(string input, string body)
    {
        var outcome = RunAtEverySplit(input);

        Assert.True(outcome.Ended);
        Assert.Equal(body, outcome.Body);
    }

    [Theory]
    [InlineData("a\n.\nb\r\n.\r\n", "a\n.\nb\r\n", BodyDefects.BareLineFeed)]
    [InlineData("a\r.\rb\r\n.\r\n", "a\r.\rb\r\n", BodyDefects.BareCarriageReturn)]
    [InlineData("a\n.\r\nb\r\n.\r\n", "a\n.\r\nb\r\n", BodyDefects.BareLineFeed)]
    [InlineData("a\r\n.\nb\r\n.\r\n", "a\r\n\nb\r\n", BodyDefects.BareLineFeed)]
    [InlineData("a\r\n.\rb\r\n.\r\n", "a\r\n\rb\r\n", BodyDefects.BareCarriageReturn)]
    [InlineData(".\nMAIL FROM:<x@y>\r\n.\r\n", "\nMAIL FROM:<x@y>\r\n", BodyDefects.BareLineFeed)]
    [InlineData("a\r\r\n.\r\n", "a\r\r\n", BodyDefects.BareCarriageReturn)]
    public void Smuggling_forms_never_end_the_data(string input, string body, BodyDefects defects)
    {
        var outcome = RunAtEverySplit(input);

        Assert.True(outcome.Ended);
        Assert.Equal(body, outcome.Body);
        Assert.Equal(defects, outcome.Defects);
        Assert.Equal(string.Empty, outcome.Rest);
    }

    [Theory]
    [InlineData("a\n.\n")]
    [InlineData("a\r.\r")]
    [InlineData("a\n.\r\n")]
    [InlineData("a\r\n.\n")]
    [InlineData("a\r\n.\r")]
    [InlineData("a\r\n. \r\n")]
    [InlineData("a\r\n")]
    [InlineData("")]
    public void Without_crlf_dot_crlf_the_body_goes_on(string input)
    {
        Assert.False(RunAtEverySplit(input).Ended);
    }

    [Fact]
    public void Nul_is_a_defect()
    {
        var outcome = RunAtEverySplit("a\0b\r\n.\r\n");

        Assert.Equal(BodyDefects.Nul, outcome.Defects);
        Assert.Equal("a\0b\r\n", outcome.Body);
    }

    [Fact]
    public void Long_lines_are_defects_at_the_limit_plus_one()
    {
        Assert.Equal(BodyDefects.None, RunAtEverySplit(new string('x', 18) + "\r\n.\r\n", 20).Defects);
        Assert.Equal(BodyDefects.LineTooLong, RunAtEverySplit(new string('x', 19) + "\r\n.\r\n", 20).Defects);
        Assert.Equal(BodyDefects.LineTooLong, Run([Encoding.ASCII.GetBytes(new string('x', 5000))]).Defects);
    }

    [Fact]
    public void Large_body_across_many_segments()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < 5000; i++)
        {
            sb.Append(i % 7 == 0 ? ".." : string.Empty).Append("line ").Append(i).Append(" of the message body\r\n");
        }

        var wire = sb + ".\r\nQUIT\r\n";
        var expected = sb.ToString().Replace("\r\n..", "\r\n.", StringComparison.Ordinal);
        expected = expected.StartsWith("..", StringComparison.Ordinal) ? expected[1..] : expected;
        var bytes = Encoding.ASCII.GetBytes(wire);

        foreach (var size in new[] { 1, 2, 3, 7, 64, 1000, 4096 })
        {
            var chunks = bytes.Chunk(size).ToArray();

            // All chunks at once as one many-segment sequence, then chunk by chunk.
            var reader = new DataBodyReader(1000);
            var output = new ArrayBufferWriter<byte>();
            var buffer = Segments.Create(chunks);
            Assert.True(reader.Read(ref buffer, output));
            Assert.Equal(expected, Encoding.ASCII.GetString(output.WrittenSpan));
            Assert.Equal("QUIT\r\n", Encoding.ASCII.GetString(buffer.ToArray()));

            var outcome = Run(chunks);
            Assert.True(outcome.Ended);
            Assert.Equal(expected, outcome.Body);
            Assert.Equal(BodyDefects.None, outcome.Defects);
        }
    }

    [Fact]
    public void Reading_after_the_end_is_a_programming_error()
    {
        var reader = new DataBodyReader(1000);
        var buffer = Segments.Create(".\r\n"u8.ToArray());
        Assert.True(reader.Read(ref buffer, new ArrayBufferWriter<byte>()));

        Assert.Throws<InvalidOperationException>(() => reader.Read(ref buffer, new ArrayBufferWriter<byte>()));
    }
}
