using System.Net;

namespace Gateway.Syntax.Tests;

public sealed class AddressLiteralTests
{
    [Theory]
    [InlineData("[192.0.2.1]", "[192.0.2.1]")]
    [InlineData("[0.0.0.0]", "[0.0.0.0]")]
    [InlineData("[IPv6:2001:db8::1]", "[IPv6:2001:db8::1]")]
    [InlineData("[ipv6:2001:DB8:0:0:0:0:0:1]", "[IPv6:2001:db8::1]")]
    [InlineData("[IPv6:::1]", "[IPv6:::1]")]
    [InlineData("[IPv6:::ffff:192.0.2.1]", "[IPv6:::ffff:192.0.2.1]")]
    public void Literals_come_out_canonical(string text, string canonical)
    {
        Assert.True(AddressLiteral.TryCanonicalize(text, out var literal));
        Assert.Equal(canonical, literal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("192.0.2.1")]
    [InlineData("[192.0.2.1")]
    [InlineData("192.0.2.1]")]
    [InlineData("[192.0.2]")]
    [InlineData("[192.0.2.01]")]
    [InlineData("[127.1]")]
    [InlineData("[ 192.0.2.1]")]
    [InlineData("[2001:db8::1]")]
    [InlineData("[IPv6:192.0.2.1]")]
    [InlineData("[IPv6:fe80::1%eth0]")]
    [InlineData("[IPv6 :2001:db8::1]")]
    [InlineData("[IPv7:2001:db8::1]")]
    [InlineData("[tag:content]")]
    public void Other_literals_are_refused(string text)
    {
        Assert.False(AddressLiteral.TryParse(text, out _));
        Assert.False(AddressLiteral.TryCanonicalize(text, out var literal));
        Assert.Equal(string.Empty, literal);
    }

    [Theory]
    [InlineData("192.0.2.7", "[192.0.2.7]")]
    [InlineData("2001:db8::1", "[IPv6:2001:db8::1]")]
    [InlineData("fe80::1%2", "[IPv6:fe80::1]")]
    public void Addresses_format_as_literals_without_a_scope(string address, string literal)
    {
        var parsed = IPAddress.Parse(address);

        Assert.Equal(literal, AddressLiteral.Format(parsed));
        Assert.Equal(IPAddress.Parse(address), parsed);
    }
}
