using Gateway.Authentication.Dkim;
using Gateway.Dns;

namespace Gateway.Authentication.Tests.Dkim;

/// <summary>d= and s= are checked before they become a DNS query (RFC 6376 3.5, 3.6.2.1).</summary>
public sealed class KeyNameSyntaxTests
{
    [Theory]
    [InlineData("example.com", "s1", true)]
    [InlineData("Example.COM", "S1", true)]
    [InlineData("example.com", "2024", true)]
    [InlineData("example.com", "s_1.eu", true)]
    [InlineData("mail_1.example.com", "s1", true)]
    [InlineData("xn--bcher-kva.example", "s1", true)]
    [InlineData("example.com.", "s1", false)]
    [InlineData("-bad.example.com", "s1", false)]
    [InlineData("bad-.example.com", "s1", false)]
    [InlineData("example.123", "s1", false)]
    [InlineData("xn--zz.example", "s1", false)]
    [InlineData("bücher.example", "s1", false)]
    [InlineData("example.com", "-s1", false)]
    [InlineData("example.com", "s1..x", false)]
    [InlineData("example.com", "s 1", false)]
    public void Domain_and_selector_must_be_dns_names(string domain, string selector, bool expected)
    {
        Assert.Equal(expected, DkimNames.AreValid(domain, selector));
    }

    [Fact]
    public async Task An_invalid_name_is_a_permerror_without_a_query()
    {
        var dns = new InMemoryDnsResolver();
        var locator = new DnsDkimPublicKeyLocator(dns);

        var lookup = await locator.LookupAsync("-bad.example.com", "s1", CancellationToken.None);

        Assert.Equal(DkimResult.PermError, lookup.Failure);
        Assert.Equal("invalid domain or selector", lookup.Reason);
        Assert.Equal(0, dns.QueryCount("s1._domainkey.-bad.example.com"));
    }
}
