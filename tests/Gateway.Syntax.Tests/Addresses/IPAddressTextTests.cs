using System.Net;

namespace Gateway.Syntax.Tests;

public sealed class IPAddressTextTests
{
    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("10.0.100.9")]
    public void Dotted_quads_parse(string text)
    {
        Assert.True(IPAddressText.TryParseIPv4(text, out var address));
        Assert.Equal(IPAddress.Parse(text), address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("127.1")]
    [InlineData("192.0.2.256")]
    [InlineData("192.0.2.01")]
    [InlineData("010.0.0.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("1.2.3.4 ")]
    [InlineData(" 1.2.3.4")]
    [InlineData("1.2.3.1000")]
    [InlineData("1..2.3")]
    [InlineData("::1")]
    public void Other_ipv4_spellings_are_refused(string text)
    {
        Assert.False(IPAddressText.TryParseIPv4(text, out var address));
        Assert.Equal(IPAddress.None, address);
    }

    [Theory]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("::", "::")]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1")]
    public void Ipv6_text_forms_parse(string text, string canonical)
    {
        Assert.True(IPAddressText.TryParseIPv6(text, out var address));
        Assert.Equal(canonical, address.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("192.0.2.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("fe80::1%2")]
    [InlineData("[::1]")]
    [InlineData(" ::1")]
    [InlineData("::g")]
    [InlineData("2001:db8::1::2")]
    public void Other_ipv6_spellings_are_refused(string text)
    {
        Assert.False(IPAddressText.TryParseIPv6(text, out _));
    }
}
