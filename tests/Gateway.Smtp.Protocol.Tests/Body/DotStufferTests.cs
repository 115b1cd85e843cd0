using System.Buffers;
using System.Text;

namespace Gateway.Smtp.Protocol.Tests;

public sealed class DotStufferTests
{
    /// <summary>The DATA transfer for the input, split at every position and one octet at a time: every run must agree.</summary>
    private static string StuffAtEverySplit(string input)
    {
        string? first = null;
        foreach (var split in Segments.Splits(Encoding.Latin1.GetBytes(input)))
        {
            var stuffer = new DotStuffer();
            var output = new ArrayBufferWriter<byte>();
            foreach (var piece in split)
            {
                var span = output.GetSpan(DotStuffer.MaxOutputLength(piece.Length) + 1);
                output.Advance(stuffer.Stuff(piece, span));
            }

            output.Write(stuffer.EndOfData);
            var text = Encoding.Latin1.GetString(output.WrittenSpan);
            first ??= text;
            Assert.Equal(first, text);
        }

        return first!;
    }

    [Theory]
    [InlineData("Subject: x\r\n\r\nbody\r\n", "Subject: x\r\n\r\nbody\r\n.\r\n")]
    [InlineData(".starts\r\n", "..starts\r\n.\r\n")]
    [InlineData("a\r\n.\r\n..\r\n.x\r\nmid.dle\r\n", "a\r\n..\r\n...\r\n..x\r\nmid.dle\r\n.\r\n")]
    [InlineData("no final line end", "no final line end\r\n.\r\n")]
    [InlineData("ends with dot\r\n.", "ends with dot\r\n..\r\n.\r\n")]
    [InlineData("", ".\r\n")]
    [InlineData("bare\n.lf\r.cr\r\n", "bare\n..lf\r..cr\r\n.\r\n")]
    public void Leading_dots_are_doubled_and_the_end_of_data_follows_a_line_end(string input, string expected)
    {
        Assert.Equal(expected, StuffAtEverySplit(input));
    }

    [Theory]
    [InlineData("Subject: dots\r\n\r\n.\r\n..\r\n.leading\r\nmiddle.\r\n. \r\n")]
    [InlineData("8bit \u00e9\u00e8\r\n.\u00e0\r\n")]
    [InlineData("no final crlf\r\n.")]
    public void The_servers_data_reader_gives_back_the_message(string message)
    {
        var wire = Encoding.Latin1.GetBytes(StuffAtEverySplit(message));
        var reader = new DataBodyReader(SmtpDefaults.TextLineLength);
        var body = new ArrayBufferWriter<byte>();
        var buffer = new ReadOnlySequence<byte>(wire);

        Assert.True(reader.Read(ref buffer, body));
        Assert.Equal(0, buffer.Length);
        var expected = message.EndsWith("\r\n", StringComparison.Ordinal) ? message : message + "\r\n";
        Assert.Equal(expected, Encoding.Latin1.GetString(body.WrittenSpan));
    }

    [Fact]
    public void An_output_smaller_than_twice_the_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new DotStuffer().Stuff(new byte[10], new byte[19]));
    }
}
