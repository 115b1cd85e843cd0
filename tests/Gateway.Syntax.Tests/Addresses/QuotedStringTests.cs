namespace Gateway.Syntax.Tests;

public sealed class QuotedStringTests
{
    [Theory]
    [InlineData("john doe", "\"john doe\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("a\\b", "\"a\\\\b\"")]
    [InlineData("", "\"\"")]
    [InlineData("jörg", "\"jörg\"")]
    public void Quote_escapes_quotes_and_backslashes(string content, string quoted)
    {
        Assert.Equal(quoted, QuotedString.Quote(content));
    }

    [Theory]
    [InlineData("\"john doe\"@example.com", false, "john doe", 10)]
    [InlineData("\"a\\\"b\"", false, "a\"b", 6)]
    [InlineData("\"a\\\\b\"x", false, "a\\b", 6)]
    [InlineData("\"<x>\"", false, "<x>", 5)]
    [InlineData("\"\"", false, "", 2)]
    [InlineData("\"jörg\"", true, "jörg", 6)]
    public void Smtp_quoted_strings_are_read_and_unquoted(string text, bool allowUtf8, string value, int consumed)
    {
        Assert.True(QuotedString.TryReadSmtp(text, allowUtf8, out var read, out var length));
        Assert.Equal(value, read);
        Assert.Equal(consumed, length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("\"unterminated")]
    [InlineData("\"a\tb\"")]
    [InlineData("\"a\\\u0001\"")]
    [InlineData("\"a\\")]
    [InlineData("\"jörg\"")]
    public void Malformed_smtp_quoted_strings_are_refused(string text)
    {
        Assert.False(QuotedString.TryReadSmtp(text, allowUtf8: false, out var value, out var consumed));
        Assert.Equal(string.Empty, value);
        Assert.Equal(0, consumed);
    }

    [Theory]
    [InlineData("john doe")]
    [InlineData("a\"b\\c")]
    [InlineData("x@y")]
    public void What_quote_writes_reads_back(string content)
    {
        Assert.True(QuotedString.TryReadSmtp(QuotedString.Quote(content), allowUtf8: false, out var value, out _));
        Assert.Equal(content, value);
    }
}
