using Gateway.Policy.Validation;

namespace Gateway.Policy.Tests;

public sealed class HostParserTests
{
    [Theory]
    [InlineData("mx.example.test", "mx.example.test")]
    [InlineData("MX.Example.TEST", "mx.example.test")]
    [InlineData("relay", "relay")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "::1")]
    [InlineData("2001:DB8:0:0::1", "2001:db8::1")]
    [InlineData("1.2.3.4a", "1.2.3.4a")]
    [InlineData("0x0a", "0x0a")]
    public void Hosts_canonicalise(string text, string canonical)
    {
        Assert.Null(HostParser.TryParseHost(text, out var host));
        Assert.Equal(canonical, host);
    }

    [Theory]
    [InlineData("", "host is empty")]
    [InlineData("[::1]", "without brackets")]
    [InlineData("host:25", "looks like host:port")]
    [InlineData("192.0.2.1:25", "looks like host:port")]
    [InlineData("1.2.3", "four decimal octets")]
    [InlineData("1.2.3.4.5", "four decimal octets")]
    [InlineData("192.0.2.256", "above 255")]
    [InlineData("0177.0.0.1", "without leading zeros")]
    [InlineData("1234", "four decimal octets")]
    [InlineData("2001:db8:::1", "not a valid IPv6 address")]
    [InlineData("fe80::1%1", "zone indexes")]
    [InlineData("::ffff:192.0.2.1", "IPv4-mapped")]
    [InlineData("0.0.0.0", "not a unicast address")]
    [InlineData("0.255.255.255", "not a unicast address")]
    [InlineData("224.0.0.0", "not a unicast address")]
    [InlineData("239.255.255.255", "not a unicast address")]
    [InlineData("255.255.255.255", "not a unicast address")]
    [InlineData("::", "not a unicast address")]
    [InlineData("ff05::2", "not a unicast address")]
    [InlineData("mx.example.test.", "without a trailing dot")]
    [InlineData("mx..example.test", "not a valid domain name")]
    [InlineData("-mx.example.test", "not a valid domain name")]
    [InlineData("mx example.test", "not a valid domain name")]
    [InlineData("mx.123", "numeric top-level label")]
    public void Bad_hosts_say_why(string text, string messagePart)
    {
        var problem = HostParser.TryParseHost(text, out _);

        Assert.NotNull(problem);
        Assert.Contains(messagePart, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("223.255.255.255")]
    [InlineData("240.0.0.1")]
    [InlineData("1.0.0.0")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    public void Unicast_edges_are_accepted(string text)
        => Assert.Null(HostParser.TryParseHost(text, out _));

    [Theory]
    [InlineData("relay.example.test", 25, "relay.example.test", 25)]
    [InlineData("relay.example.test:2525", 25, "relay.example.test", 2525)]
    [InlineData("192.0.2.1", 53, "192.0.2.1", 53)]
    [InlineData("192.0.2.1:5353", 53, "192.0.2.1", 5353)]
    [InlineData("[2001:db8::1]", 53, "2001:db8::1", 53)]
    [InlineData("[2001:db8::1]:1", 53, "2001:db8::1", 1)]
    public void Host_ports_parse(string text, int defaultPort, string host, int port)
    {
        Assert.Null(HostParser.TryParseHostPort(text, defaultPort, allowNames: true, out var parsedHost, out var parsedPort));
        Assert.Equal((host, port), (parsedHost, parsedPort));
    }

    [Theory]
    [InlineData("relay.example.test")]
    [InlineData("relay.example.test:53")]
    [InlineData("[relay.example.test]:53")]
    [InlineData("localhost")]
    public void Names_are_refused_when_only_addresses_are_allowed(string text)
    {
        var problem = HostParser.TryParseHostPort(text, 53, allowNames: false, out _, out _);

        Assert.NotNull(problem);
    }

    [Theory]
    [InlineData("relay:", "invalid port")]
    [InlineData("relay:-1", "invalid port")]
    [InlineData("relay:+25", "invalid port")]
    [InlineData("relay: 25", "invalid port")]
    [InlineData("relay:100000", "invalid port")]
    [InlineData("[::1", "no closing ']'")]
    [InlineData("[::1]]", "expected [IPv6] or [IPv6]:port")]
    [InlineData("[::1]:25:25", "invalid port")]
    [InlineData("[]:25", "brackets are only for IPv6")]
    [InlineData("[[::1]]:25", "expected [IPv6] or [IPv6]:port")]
    [InlineData("[::1]x", "expected [IPv6] or [IPv6]:port")]
    [InlineData("2001:db8::1", "write IPv6 addresses in brackets")]
    [InlineData("::1:53", "write IPv6 addresses in brackets")]
    [InlineData("relay:25:25", "write IPv6 addresses in brackets")]
    [InlineData(":", "invalid port")]
    public void Bad_host_ports_say_why(string text, string messagePart)
    {
        var problem = HostParser.TryParseHostPort(text, 25, allowNames: true, out _, out _);

        Assert.NotNull(problem);
        Assert.Contains(messagePart, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("25", 25)]
    [InlineData("65535", 65535)]
    public void Ports_parse(string text, int port)
    {
        Assert.True(HostParser.TryParsePort(text, out var value));
        Assert.Equal(port, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("00")]
    [InlineData("025")]
    [InlineData("65536")]
    [InlineData("999999")]
    [InlineData("-1")]
    [InlineData("2 5")]
    [InlineData("٢٥")]
    public void Bad_ports_are_refused(string text)
        => Assert.False(HostParser.TryParsePort(text, out _));
}
