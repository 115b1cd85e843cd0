namespace Gateway.Syntax.Tests;

public sealed class ReplyCodeTests
{
    [Theory]
    [InlineData(200, true)]
    [InlineData(250, true)]
    [InlineData(354, true)]
    [InlineData(421, true)]
    [InlineData(554, true)]
    [InlineData(559, true)]
    [InlineData(199, false)]
    [InlineData(260, false)]
    [InlineData(599, false)]
    [InlineData(600, false)]
    [InlineData(0, false)]
    [InlineData(-250, false)]
    public void Codes_are_2yz_to_5yz_with_y_up_to_5(int code, bool expected)
    {
        Assert.Equal(expected, ReplyCode.IsValid(code));
    }

    [Theory]
    [InlineData("250", 250, "")]
    [InlineData("250 Ok", 250, "Ok")]
    [InlineData("550-5.1.1 first line", 550, "5.1.1 first line")]
    [InlineData("550 5.1.1 No such user", 550, "5.1.1 No such user")]
    [InlineData("421 ", 421, "")]
    public void Reply_lines_start_with_a_code(string line, int code, string text)
    {
        Assert.True(ReplyCode.TryParse(line, out var parsed, out var rest));
        Assert.Equal(code, parsed);
        Assert.Equal(text, rest.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("25")]
    [InlineData("2500")]
    [InlineData("250x")]
    [InlineData("650 no")]
    [InlineData("170 no")]
    [InlineData("290 no")]
    [InlineData(" 250 Ok")]
    [InlineData("timeout 4.4.2")]
    [InlineData("٢٥٠ Ok")]
    public void Other_lines_have_no_code(string line)
    {
        Assert.False(ReplyCode.TryParse(line, out var code, out _));
        Assert.Equal(0, code);
    }
}
