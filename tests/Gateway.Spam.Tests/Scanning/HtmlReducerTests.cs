using Gateway.Spam.Scanning;

namespace Gateway.Spam.Tests.Scanning;

public sealed class HtmlReducerTests
{
    [Fact]
    public void Text_is_kept_markup_is_recorded_and_scripts_comments_and_entities_are_handled()
    {
        var scanned = new ScannedMessage();

        var text = HtmlReducer.Reduce(
            "<html><body><p style=\"x\">Buy vi<!-- hidden -->agra &amp; more</p><script>var no = 1;</script>" +
            "<a href=\"https://Shop.Example.com/deal?id=1\">here</a><img src=http://203.0.113.9/x.gif></body></html>",
            scanned);

        Assert.Contains("Buy viagra & more", text, StringComparison.Ordinal);
        Assert.DoesNotContain("var no", text, StringComparison.Ordinal);
        Assert.Contains("here", text, StringComparison.Ordinal);
        Assert.Contains("p:style", scanned.HtmlMarkup);
        Assert.Contains("img", scanned.HtmlMarkup);
        Assert.Equal([new LinkTarget("shop.example.com", "/deal"), new LinkTarget("203.0.113.9", "/x.gif")], scanned.Links);
    }

    [Fact]
    public void An_unclosed_tag_ends_the_text_without_error()
    {
        var text = HtmlReducer.Reduce("hello <b unterminated", new ScannedMessage());

        Assert.Equal("hello ", text);
    }

    [Theory]
    [InlineData("<p>Hello</p>< BUY CHEAP PILLS NOW<br>", "BUY CHEAP PILLS NOW")]
    [InlineData("<p>I <3 cheap pills</p>", "<3 cheap pills")]
    [InlineData("a <!-- hidden --!> CHEAP PILLS shown", "CHEAP PILLS shown")]
    [InlineData("price < 10 dollars <b>now</b>", "price < 10 dollars")]
    [InlineData("ends with <", "ends with <")]
    public void Text_a_browser_shows_is_read_however_the_markup_around_it_looks(string html, string shown)
    {
        var text = HtmlReducer.Reduce(html, new ScannedMessage());

        Assert.Contains(shown, text, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden", text, StringComparison.Ordinal);
    }
}
