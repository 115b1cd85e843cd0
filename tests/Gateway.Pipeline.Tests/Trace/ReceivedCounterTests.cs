using System.Text;
using Gateway.Pipeline.Trace;

namespace Gateway.Pipeline.Tests.Trace;

public sealed class ReceivedCounterTests
{
    private static int Count(string text, out bool complete) =>
        ReceivedCounter.CountReceived(Encoding.ASCII.GetBytes(text), out complete);

    [Fact]
    public void Counts_received_fields_in_the_header_section_only()
    {
        var text = "Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
            + "RECEIVED : from c\r\n\tby d\r\n"
            + "received\t:x\r\n"
            + "Subject: Received: not a field name\r\n"
            + "X-Received: nope\r\n"
            + " Received: continuation line, not a field\r\n"
            + "\r\n"
            + "Received: in the body\r\n";

        Assert.Equal(3, Count(text, out var complete));
        Assert.True(complete);
    }

    [Theory]
    [InlineData("Receivedx: a\r\n\r\n", 0)]
    [InlineData("Received\r\n\r\n", 0)]
    [InlineData("Receive: a\r\n\r\n", 0)]
    [InlineData("Received x: a\r\n\r\n", 0)]
    [InlineData("ReCeIvEd:\r\n\r\n", 1)]
    [InlineData("Received:a\nReceived:b\n\nReceived:c\n", 2)]
    public void Recognises_only_the_received_field_name(string text, int expected)
    {
        Assert.Equal(expected, Count(text, out var complete));
        Assert.True(complete);
    }

    [Fact]
    public void An_empty_first_line_means_an_empty_header_section()
    {
        Assert.Equal(0, Count("\r\nReceived: body\r\n", out var complete));
        Assert.True(complete);
    }

    [Fact]
    public void Reports_an_incomplete_header_section()
    {
        Assert.Equal(2, Count("Received: a\r\nReceived: b\r\nSubject: x", out var complete));
        Assert.False(complete);
        Assert.Equal(0, Count(string.Empty, out complete));
        Assert.False(complete);
    }

    [Fact]
    public void A_lone_cr_is_not_an_empty_line()
    {
        Assert.Equal(1, Count("Received: a\r\n\r", out var complete));
        Assert.False(complete);
    }

    [Fact]
    public void Every_prefix_counts_exactly_the_fields_whose_name_and_colon_it_holds()
    {
        var text = "Received: from a\r\n\tby b\r\nreceived \t: c\r\nSubject: s\r\nReceived:x\r\n\r\nReceived: body\r\n";
        var bytes = Encoding.ASCII.GetBytes(text);
        var colons = new[] { text.IndexOf(':', StringComparison.Ordinal), text.IndexOf(" \t:", StringComparison.Ordinal) + 2, text.IndexOf("Received:x", StringComparison.Ordinal) + 8 };
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        for (var length = 0; length <= bytes.Length; length++)
        {
            var count = ReceivedCounter.CountReceived(bytes.AsSpan(0, length), out var complete);
            Assert.Equal(colons.Count(c => c < length), count);
            Assert.Equal(length >= end, complete);
        }
    }

    [Fact]
    public void Counts_many_fields_without_recursion_or_allocation_limits()
    {
        var builder = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            builder.Append("Received: from h").Append(i).Append("\r\n");
        }

        builder.Append("\r\n");
        Assert.Equal(10_000, Count(builder.ToString(), out var complete));
        Assert.True(complete);
    }
}
