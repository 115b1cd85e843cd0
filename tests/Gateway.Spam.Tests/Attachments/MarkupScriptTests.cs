using System.Text;
using Gateway.Spam.Attachments;

namespace Gateway.Spam.Tests.Attachments;

/// <summary>Web pages and SVG images as attachments: html, or html-script when opening them runs script.</summary>
public sealed class MarkupScriptTests
{
    private static readonly string Filler = string.Concat(Enumerable.Repeat("<p>Quarterly figures, as agreed on the call.</p>\n", 400));

    [Theory]
    [InlineData("<script>location='https://x.test/'</script>", true)]
    [InlineData("<SCRIPT type=\"text/javascript\" src=\"a.js\"></SCRIPT>", true)]
    [InlineData("<script\nsrc=a.js>", true)]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"fetch('//x.test')\">", true)]
    [InlineData("<img src=x ONERROR = \"go()\">", true)]
    [InlineData("<body\tonpageshow=go()>", true)]
    [InlineData("<a href=\"javascript:void(0)\">pay</a>", true)]
    [InlineData("<a href=\"JavaScript &colon;go()\">pay</a>", true)]
    [InlineData("<a href=\"vbscript:msgbox(1)\">pay</a>", true)]
    [InlineData("<p>Please log on = 9:00, we went online = yes</p>", false)]
    [InlineData("<p>The <b>scripts</b> folder; see javascript.info for details</p>", false)]
    [InlineData("<p>a <scripture> quote</p>", false)]
    [InlineData("<a href=\"https://example.test/on.html\" title=\"on and onward\">link</a>", false)]
    public void Script_markers_are_found_and_plain_pages_are_not_flagged(string markup, bool script)
    {
        Assert.Equal(script, MarkupScript.Contains(Encoding.UTF8.GetBytes("<html><body>" + markup + "</body></html>")));
    }

    [Fact]
    public void Many_attribute_lookalikes_in_text_are_judged_by_the_tag_they_are_in()
    {
        // A page of "on...=" in plain text: none is in a tag, until the last, which is in one.
        var text = string.Concat(Enumerable.Repeat("<p>x</p> onabc=1 ", 50_000));

        Assert.False(MarkupScript.Contains(Encoding.ASCII.GetBytes(text)));
        Assert.True(MarkupScript.Contains(Encoding.ASCII.GetBytes(text + "<img src=a onerror=go()>")));
        Assert.False(MarkupScript.Contains(Encoding.ASCII.GetBytes(text + "<img src=a> onerror=go()")));
    }

    [Fact]
    public void A_marker_split_between_reads_is_found()
    {
        var text = Encoding.ASCII.GetBytes(Filler + "<img src=x onerror=go()>" + Filler);
        for (var split = Filler.Length; split < Filler.Length + 24; split++)
        {
            var reader = new MarkupScript();
            reader.Feed(text.AsSpan(0, split));

            // Up to its "=", the attribute is not yet one.
            Assert.Equal(split > Filler.Length + "<img src=x onerror".Length, reader.Found);
            reader.Feed(text.AsSpan(split));
            Assert.True(reader.Found, $"split at {split}");
        }
    }

    [Fact]
    public async Task A_page_with_script_past_the_first_octets_is_html_script_and_one_without_is_html()
    {
        var withScript = Encoding.UTF8.GetBytes("<html><body>" + Filler + "<script>document.write(atob('TVqQ'))</script></body></html>");
        var plain = Encoding.UTF8.GetBytes("<html><body>" + Filler + "</body></html>");

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("Invoice.html", withScript), ("report.htm", plain), ("logo.svg", "<svg onload=go()/>"u8.ToArray())));

        Assert.Equal(FileType.HtmlScript, scan.Files.Single(f => f.Path == "Invoice.html").Type);
        Assert.Equal(FileType.Html, scan.Files.Single(f => f.Path == "report.htm").Type);
        Assert.Equal(FileType.HtmlScript, scan.Files.Single(f => f.Path == "logo.svg").Type);
    }

    [Fact]
    public async Task The_name_decides_a_page_opens_in_a_browser_not_the_content()
    {
        // A page named .txt opens in a text editor; the message's own HTML body is no file at all.
        var page = "<html><script>go()</script></html>"u8.ToArray();
        var message = Encoding.ASCII.GetString(TestZips.Message(("notes.txt", page))).Replace(
            "Content-Type: text/plain\r\n\r\nsee attached\r\n",
            "Content-Type: text/html\r\n\r\n<html><body onload=\"x()\"><script>y()</script></body></html>\r\n",
            StringComparison.Ordinal);

        var scan = await AttachmentScannerTests.ScanAsync(Encoding.ASCII.GetBytes(message));

        Assert.Null(Assert.Single(scan.Files).Type);
    }

    [Fact]
    public async Task A_page_in_a_zip_is_typed_from_its_first_octets()
    {
        var zip = TestZips.Zip(("site/index.html", "<html><script>go()</script></html>"u8.ToArray()), ("site/about.html", "<html>about</html>"u8.ToArray()));

        var scan = await AttachmentScannerTests.ScanAsync(TestZips.Message(("site.zip", zip)));

        Assert.Equal(FileType.HtmlScript, scan.Files.Single(f => f.Path == "site.zip/site/index.html").Type);
        Assert.Equal(FileType.Html, scan.Files.Single(f => f.Path == "site.zip/site/about.html").Type);
    }
}
