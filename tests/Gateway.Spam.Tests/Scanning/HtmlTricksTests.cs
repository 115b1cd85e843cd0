using Gateway.Spam.Scanning;

namespace Gateway.Spam.Tests.Scanning;

public sealed class HtmlTricksTests
{
    [Fact]
    public void Words_split_by_comments_or_inline_elements_are_counted_and_read_whole()
    {
        var scanned = new ScannedMessage();

        var text = HtmlReducer.Reduce("<p>Buy vi<!-- x -->agra and <b>F</b>REE pills</p><p>Next</p>", scanned);

        Assert.Contains("viagra", text, StringComparison.Ordinal);
        Assert.Contains("FREE pills", text, StringComparison.Ordinal);
        Assert.Equal(1, scanned.Html.CommentsInWords);
        Assert.Equal(1, scanned.Html.TagsInWords);
    }

    [Fact]
    public void Block_elements_still_separate_words_and_count_as_no_trick()
    {
        var scanned = new ScannedMessage();

        var text = HtmlReducer.Reduce("<td>one</td><td>two</td><p>three<br>four</p>", scanned);

        Assert.DoesNotContain("onetwo", text, StringComparison.Ordinal);
        Assert.DoesNotContain("threefour", text, StringComparison.Ordinal);
        Assert.Equal(0, scanned.Html.TagsInWords);
        Assert.Equal(0, scanned.Html.CommentsInWords);
    }

    [Fact]
    public void Letters_written_as_character_references_are_counted_but_symbols_are_not()
    {
        var scanned = new ScannedMessage();

        var text = HtmlReducer.Reduce("<p>&#86;&#x49;agra &#169; &#8364; &amp;</p>", scanned);

        Assert.Contains("VIagra", text, StringComparison.Ordinal);
        Assert.Equal(2, scanned.Html.EncodedLetters);
    }

    [Fact]
    public void White_hidden_and_tiny_text_is_counted_but_a_white_background_is_not()
    {
        var scanned = new ScannedMessage();

        HtmlReducer.Reduce(
            "<body bgcolor=\"#FFFFFF\"><font color=#ffffff>hidden</font><div style=\"Display : None\">x</div>" +
            "<span style=\"background-color:#fff; font-size:1px\">tiny</span><font size=1>small</font><font size=3>normal</font>" +
            "<p style=\"color: white\">white</p></body>",
            scanned);

        Assert.Equal(3, scanned.Html.InvisibleText);
        Assert.Equal(2, scanned.Html.TinyText);
        Assert.Equal(3, scanned.Html.FontElements);
    }

    [Fact]
    public void A_link_whose_text_shows_another_domain_is_misleading()
    {
        var scanned = new ScannedMessage();

        HtmlReducer.Reduce(
            "<a href=\"http://203.0.113.9/login\">https://www.bank.example/login</a>" +
            "<a href=\"http://mail.shop.example/x\">www.shop.example</a><a href=\"http://t.example/\">click here</a><img src=\"http://t.example/p.gif\">",
            scanned);

        Assert.Equal(1, scanned.Html.MisleadingLinks);
        Assert.Equal(1, scanned.Html.Images);
    }
}
