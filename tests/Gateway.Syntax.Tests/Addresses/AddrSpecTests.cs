namespace Gateway.Syntax.Tests;

public sealed class AddrSpecTests
{
    [Theory]
    [InlineData("user@example.com", true, "user", "example.com")]
    [InlineData("a@b@example.com", true, "a@b", "example.com")]
    [InlineData("@example.com", true, "", "example.com")]
    [InlineData("user@", true, "user", "")]
    [InlineData("Postmaster", false, "Postmaster", "")]
    [InlineData("", false, "", "")]
    public void Splits_at_the_last_at_sign(string address, bool split, string localPart, string domain)
    {
        Assert.Equal(split, AddrSpec.TrySplit(address, out var local, out var host));
        Assert.Equal(localPart, local);
        Assert.Equal(domain, host);
        Assert.Equal(localPart, AddrSpec.LocalPartOf(address));
        Assert.Equal(domain, AddrSpec.DomainOf(address));
    }

    [Theory]
    [InlineData("user", "user")]
    [InlineData("first.last+tag", "first.last+tag")]
    [InlineData("jörg", "jörg")]
    [InlineData("john doe", "\"john doe\"")]
    [InlineData("a@b", "\"a@b\"")]
    [InlineData(".user", "\".user\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("", "\"\"")]
    public void Local_parts_that_are_not_dot_strings_are_quoted(string localPart, string written)
    {
        Assert.Equal(written, AddrSpec.FormatLocalPart(localPart));
        Assert.Equal(written + "@example.com", AddrSpec.Format(localPart, "example.com"));
    }
}
