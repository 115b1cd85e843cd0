using System.Text;

namespace Gateway.Queue.Tests.Store;

public sealed class HeaderSectionBufferTests
{
    private const string Message =
        "Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n" +
        "Subject: x\r\n" +
        "received: from c\r\n by d; Mon, 1 Jan 2024 00:00:00 +0000\r\n" +
        "\r\n" +
        "Received: in the body\r\n";

    [Fact]
    public void The_count_is_the_same_however_the_message_is_split()
    {
        var bytes = Encoding.ASCII.GetBytes(Message);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var buffer = new HeaderSectionBuffer(1024);
            buffer.Append(bytes.AsSpan(0, split));
            buffer.Append(bytes.AsSpan(split));

            Assert.Equal(2, buffer.ReceivedCount);
        }
    }

    [Fact]
    public void One_byte_at_a_time_gives_the_same_count()
    {
        var buffer = new HeaderSectionBuffer(1024);
        foreach (var b in Encoding.ASCII.GetBytes(Message))
        {
            buffer.Append([b]);
        }

        Assert.Equal(2, buffer.ReceivedCount);
    }

    [Fact]
    public void A_bare_lf_empty_line_ends_the_section_too()
    {
        var buffer = new HeaderSectionBuffer(1024);
        buffer.Append("Received: a\nReceived: b\n\nReceived: body\n"u8);

        Assert.Equal(2, buffer.ReceivedCount);
    }

    [Fact]
    public void Only_the_bounded_prefix_is_examined()
    {
        var text = "Received: one\r\n" + new string('X', 100) + "\r\nReceived: two\r\n\r\n";
        var buffer = new HeaderSectionBuffer(50);
        buffer.Append(Encoding.ASCII.GetBytes(text));

        Assert.Equal(1, buffer.ReceivedCount);
    }
}
