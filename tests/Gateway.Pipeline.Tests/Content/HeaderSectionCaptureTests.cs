using System.Text;
using Gateway.Pipeline.Content;

namespace Gateway.Pipeline.Tests.Content;

public sealed class HeaderSectionCaptureTests
{
    private const string Header =
        "Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n" +
        "Subject: x\r\n" +
        "received: from c\r\n by d; Mon, 1 Jan 2024 00:00:00 +0000\r\n" +
        "\r\n";

    private const string Message = Header + "Received: in the body\r\n";

    [Fact]
    public void The_section_is_the_same_however_the_message_is_split()
    {
        var bytes = Encoding.ASCII.GetBytes(Message);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var capture = new HeaderSectionCapture(1024);
            capture.Append(bytes.AsSpan(0, split));
            capture.Append(bytes.AsSpan(split));
            capture.Finish();

            Assert.Equal(HeaderSectionStatus.Complete, capture.Status);
            Assert.Equal(Header, Encoding.ASCII.GetString(capture.Section.Span));
        }
    }

    [Fact]
    public void One_byte_at_a_time_gives_the_same_section()
    {
        var capture = new HeaderSectionCapture(1024);
        foreach (var b in Encoding.ASCII.GetBytes(Message))
        {
            capture.Append([b]);
        }

        Assert.Equal(Header, Encoding.ASCII.GetString(capture.Section.Span));
    }

    [Fact]
    public void A_bare_lf_empty_line_ends_the_section_too()
    {
        var capture = new HeaderSectionCapture(1024);
        capture.Append("Received: a\nReceived: b\n\nReceived: body\n"u8);

        Assert.Equal(HeaderSectionStatus.Complete, capture.Status);
        Assert.Equal("Received: a\nReceived: b\n\n", Encoding.ASCII.GetString(capture.Section.Span));
    }

    [Fact]
    public void A_section_longer_than_the_bound_is_too_long_and_nothing_of_it_is_kept()
    {
        var capture = new HeaderSectionCapture(50);
        capture.Append(Encoding.ASCII.GetBytes("Received: one\r\n" + new string('X', 100) + "\r\nReceived: two\r\n\r\n"));
        capture.Finish();

        Assert.Equal(HeaderSectionStatus.TooLong, capture.Status);
        Assert.True(capture.Section.IsEmpty);
    }

    [Fact]
    public void A_section_that_fills_the_bound_exactly_is_complete()
    {
        var text = "Subject: " + new string('x', 39) + "\r\n\r\n";
        var capture = new HeaderSectionCapture(text.Length);
        capture.Append(Encoding.ASCII.GetBytes(text + "body\r\n"));

        Assert.Equal(HeaderSectionStatus.Complete, capture.Status);
        Assert.Equal(text.Length, capture.Section.Length);
    }

    [Theory]
    [InlineData("Subject: no body\r\n")]
    [InlineData("Subject: no final line end")]
    [InlineData("")]
    public void A_message_that_ends_inside_its_header_section_is_all_header(string message)
    {
        var capture = new HeaderSectionCapture(1024);
        capture.Append(Encoding.ASCII.GetBytes(message));
        Assert.Equal(HeaderSectionStatus.Incomplete, capture.Status);

        capture.Finish();

        Assert.Equal(HeaderSectionStatus.NoBody, capture.Status);
        Assert.Equal(message, Encoding.ASCII.GetString(capture.Section.Span));
    }
}
