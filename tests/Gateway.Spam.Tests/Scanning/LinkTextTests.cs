using System.Text;
using Gateway.Spam.Scanning;

namespace Gateway.Spam.Tests.Scanning;

public sealed class LinkTextTests
{
    [Theory]
    [InlineData("https://www.bank.example/login", "203.0.113.9", true)]
    [InlineData("Visit www.bank.example today", "phish.example", true)]
    [InlineData("www.shop.example", "mail.shop.example", false)]
    [InlineData("HTTP://WWW.SHOP.EXAMPLE/", "shop.example", false)]
    [InlineData("click here", "tracker.example", false)]
    [InlineData("http://localhost/", "tracker.example", false)]
    public void Text_showing_an_address_on_another_domain_is_told_apart(string text, string host, bool misleading)
    {
        var builder = new StringBuilder("before the link ").Append(text);

        Assert.Equal(misleading, LinkText.ShowsOtherDomain(builder, "before the link ".Length, host));
    }
}
