namespace Gateway.Syntax.Tests;

public sealed class EnhancedStatusCodeTests
{
    [Theory]
    [InlineData("2.0.0", 2, 0, 0)]
    [InlineData("4.4.1", 4, 4, 1)]
    [InlineData("5.1.10", 5, 1, 10)]
    [InlineData("5.7.26", 5, 7, 26)]
    [InlineData("5.999.999", 5, 999, 999)]
    public void Codes_parse_into_class_subject_and_detail(string text, int codeClass, int subject, int detail)
    {
        Assert.True(EnhancedStatusCode.TryParse(text, out var code));
        Assert.Equal(codeClass, code.Class);
        Assert.Equal(subject, code.Subject);
        Assert.Equal(detail, code.Detail);
        Assert.Equal(text, code.ToString());
        Assert.True(EnhancedStatusCode.IsValid(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5.1")]
    [InlineData("5.1.")]
    [InlineData("5..1")]
    [InlineData("3.1.1")]
    [InlineData("1.0.0")]
    [InlineData("6.0.0")]
    [InlineData("5.1000.1")]
    [InlineData("5.1.1000")]
    [InlineData("5.01.1")]
    [InlineData("5.1.01")]
    [InlineData("5.00.0")]
    [InlineData("05.1.1")]
    [InlineData("5.1.1.1")]
    [InlineData("5.1.1 ")]
    [InlineData(" 5.1.1")]
    [InlineData("5.a.1")]
    [InlineData("5.١.1")]
    [InlineData("X.1.1")]
    public void Other_texts_are_not_codes(string text)
    {
        Assert.False(EnhancedStatusCode.TryParse(text, out var code));
        Assert.Equal(default, code);
        Assert.False(EnhancedStatusCode.IsValid(text));
    }

    [Theory]
    [InlineData("5.1.1 No such user", "5.1.1")]
    [InlineData("5.1.1", "5.1.1")]
    [InlineData("4.7.0\ttry later", "4.7.0")]
    [InlineData("2.0.0\r\nmore", "2.0.0")]
    [InlineData("No such user 5.1.1", null)]
    [InlineData("5.1.1: No such user", null)]
    [InlineData("5.1.1234 x", null)]
    [InlineData("5.01.1 x", null)]
    [InlineData("", null)]
    public void A_code_may_start_a_reply_text(string text, string? expected)
    {
        Assert.Equal(expected is not null, EnhancedStatusCode.TryParseLeading(text, out var code));
        Assert.Equal(expected, expected is null ? null : code.ToString());
    }
}
