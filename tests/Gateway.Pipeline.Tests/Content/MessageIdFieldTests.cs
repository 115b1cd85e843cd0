using System.Text;
using Gateway.Pipeline.Content;

namespace Gateway.Pipeline.Tests.Content;

/// <summary>The client's Message-ID as the summary log line and the trace show it, and the field reader under it.</summary>
public sealed class MessageIdFieldTests
{
    private static string? ForLog(string section) => MessageIdField.ForLog(Encoding.Latin1.GetBytes(section));

    [Theory]
    [InlineData("Message-ID: <a.1@example.org>\r\n\r\n", "<a.1@example.org>")]
    [InlineData("From: x@example.org\r\nmessage-id:<b@example.org>\r\nSubject: s\r\n\r\n", "<b@example.org>")]
    [InlineData("Message-ID :\t <c@example.org>  \r\n\r\n", "<c@example.org>")]
    [InlineData("Message-ID:\r\n <folded@example.org>\r\n\r\n", "<folded@example.org>")]
    [InlineData("Message-ID: <first@example.org>\r\nMessage-ID: <second@example.org>\r\n\r\n", "<first@example.org>")]
    [InlineData("Message-ID: <odd  spaced\r\n\t id@example.org>\r\n\r\n", "<odd spaced id@example.org>")]
    [InlineData("Message-ID: <lf-only@example.org>\n\n", "<lf-only@example.org>")]
    public void The_first_field_is_read_unfolded_and_trimmed(string section, string expected) =>
        Assert.Equal(expected, ForLog(section));

    [Theory]
    [InlineData("From: x@example.org\r\n\r\n")]
    [InlineData("X-Message-ID: <not@example.org>\r\n\r\n")]
    [InlineData("Message-IDs: <not@example.org>\r\n\r\n")]
    [InlineData("Subject: Message-ID: <not@example.org>\r\n\r\n")]
    [InlineData("Subject: x\r\n\r\nMessage-ID: <in-the-body@example.org>\r\n")]
    [InlineData("Message-ID:   \r\n\r\n")]
    [InlineData("")]
    public void Anything_else_gives_none(string section) => Assert.Null(ForLog(section));

    [Fact]
    public void Control_and_non_ascii_characters_never_reach_a_log_line()
    {
        var id = ForLog("Message-ID: <a\x1b[31mred\x7f\u00e9\x85@example.org>\r\n\r\n");
        Assert.Equal("<a?[31mred???@example.org>", id);
    }

    [Fact]
    public void A_long_id_is_cut_to_the_limit()
    {
        var id = ForLog($"Message-ID: <{new string('x', 5000)}@example.org>\r\n\r\n");
        Assert.Equal(MessageIdField.MaxLength, id!.Length);
        Assert.StartsWith("<xxx", id, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_field_of_a_name_is_read_in_order()
    {
        var values = HeaderFieldValues.All(Encoding.ASCII.GetBytes("Received: one\r\nFrom: x\r\nreceived: two\r\n  and more\r\n\r\nReceived: body\r\n"), "Received"u8);
        Assert.Equal(["one", "two  and more"], values.Select(v => v.Trim()));
    }
}
