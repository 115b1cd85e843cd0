using Gateway.Transport.Policy;

namespace Gateway.Transport.Tests.Policy;

public sealed class TlsPolicyTableTests
{
    private static readonly TlsPolicyTable Table = new(
    [
        new("example.org", new TlsPolicyEntry(TlsLevel.Verify)),
        new(".example.org", new TlsPolicyEntry(TlsLevel.Encrypt)),
        new(".corp.example.org", new TlsPolicyEntry(TlsLevel.DaneOnly)),
        new("Legacy.Test.", new TlsPolicyEntry(TlsLevel.None)),
    ]);

    [Theory]
    [InlineData("example.org", TlsLevel.Verify)]
    [InlineData("EXAMPLE.org.", TlsLevel.Verify)]
    [InlineData("mail.example.org", TlsLevel.Encrypt)]
    [InlineData("a.b.example.org", TlsLevel.Encrypt)]
    [InlineData("x.corp.example.org", TlsLevel.DaneOnly)]
    [InlineData("corp.example.org", TlsLevel.Encrypt)]
    [InlineData("legacy.test", TlsLevel.None)]
    public void Exact_names_win_then_the_closest_parent(string domain, TlsLevel level)
    {
        Assert.Equal(level, Table.Find(domain)?.Level);
    }

    [Theory]
    [InlineData("other.test")]
    [InlineData("notexample.org")]
    [InlineData("sub.legacy.test")]
    public void Unlisted_domains_have_no_entry_and_default_to_may(string domain)
    {
        Assert.Null(Table.Find(domain));
        Assert.Equal(TlsLevel.May, Table.Default.Level);
    }
}
