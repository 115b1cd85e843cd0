using Gateway.Host.Cli;

namespace Gateway.Tests;

public sealed class DkimCommandTests
{
    [Theory]
    [InlineData("example.test", "s1", "example.test", "s1")]
    [InlineData("Example.TEST.", "S1", "example.test", "s1")]
    [InlineData("bücher.example", "ed1", "xn--bcher-kva.example", "ed1")]
    [InlineData("example.test", "2026", "example.test", "2026")]
    [InlineData("example.test", "a.b", "example.test", "a.b")]
    public void Keygen_names_come_out_as_the_policy_keeps_them(string domainText, string selectorText, string domain, string selector)
    {
        Assert.True(DkimCommand.TryCanonicalizeNames(domainText, selectorText, out var d, out var s));
        Assert.Equal(domain, d);
        Assert.Equal(selector, s);
    }

    [Theory]
    [InlineData("example.test", "s_1")]
    [InlineData("example.test", "-s1")]
    [InlineData("example.test", "")]
    [InlineData("", "s1")]
    [InlineData("-example.test", "s1")]
    [InlineData("example..test", "s1")]
    [InlineData("192.0.2.1", "s1")]
    [InlineData("ex ample.test", "s1")]
    public void Keygen_refuses_names_the_policy_would_refuse(string domainText, string selectorText)
    {
        Assert.False(DkimCommand.TryCanonicalizeNames(domainText, selectorText, out _, out _));
    }
}
