using Gateway.Lookups;

namespace Gateway.Smime.Tests.CertificateDirectory;

public sealed class LdapFilterTests
{
    [Theory]
    [InlineData("alice@example.org", "(mail=alice@example.org)")]
    [InlineData("*@example.org", "(mail=\\2a@example.org)")]
    [InlineData("a)(mail=*", "(mail=a\\29\\28mail=\\2a)")]
    [InlineData("back\\slash\0@x", "(mail=back\\5cslash\\00@x)")]
    public void The_address_is_escaped_per_RFC_4515(string address, string filter) =>
        Assert.Equal(filter, LdapFilter.Build("(mail={0})", address));

    [Fact]
    public void Every_placeholder_is_filled_and_other_braces_stay() =>
        Assert.Equal("(|(mail=a\\2a)(mailAlternateAddress=a\\2a)(x={1}))", LdapFilter.Build("(|(mail={0})(mailAlternateAddress={0})(x={1}))", "a*"));
}
