using Gateway.Spam.Scanning;

namespace Gateway.Spam.Tests.Scanning;

public sealed class LinkFinderTests
{
    [Theory]
    [InlineData("http://www.example.com/offer", 0)]
    [InlineData("http://bank.example@203.0.113.9/login", 1)]
    [InlineData("http://shop.example:8080/deal", 2)]
    [InlineData("https://shop.example:443/deal", 0)]
    [InlineData("http://r.example/go?u=http%3A%2F%2Fpills.example%2F", 4)]
    [InlineData("http://r.example/redirect/www.pills.example", 4)]
    public void How_a_link_hides_its_target_is_recorded(string link, int disguise)
    {
        // The flags travel as numbers: the enum is internal, and a public test method cannot take it.
        var expected = (LinkDisguise)disguise;
        var links = new List<LinkTarget>();

        LinkFinder.AddLink(link, links);

        Assert.Equal(expected, Assert.Single(links).Disguise);
    }
}
