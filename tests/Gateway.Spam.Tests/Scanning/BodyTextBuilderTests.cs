using Gateway.Spam.Scanning;

namespace Gateway.Spam.Tests.Scanning;

public sealed class BodyTextBuilderTests
{
    [Fact]
    public void Parts_are_joined_each_followed_by_a_line_break_and_cut_at_the_room_given()
    {
        var text = new BodyTextBuilder();
        Assert.Equal(string.Empty, text.ToString());

        text.Append("first part", 100);
        text.Append("second part", 6);
        text.Append(string.Empty, 10);

        Assert.Equal("first part\nsecond\n\n", text.ToString());
        Assert.Equal(text.ToString().Length, text.Length);
    }
}
