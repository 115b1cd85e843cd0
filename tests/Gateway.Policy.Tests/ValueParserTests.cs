using System.Net;
using Gateway.Policy.Validation;

namespace Gateway.Policy.Tests;

public sealed class ValueParserTests
{
    [Theory]
    [InlineData("0s", 0L)]
    [InlineData("250ms", 250L)]
    [InlineData("30s", 30_000L)]
    [InlineData("5m", 300_000L)]
    [InlineData("2h", 7_200_000L)]
    [InlineData("1d", 86_400_000L)]
    [InlineData("0090s", 90_000L)]
    public void Durations_parse(string text, long milliseconds)
    {
        Assert.Null(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("", "is not a duration")]
    [InlineData("s", "is not a duration")]
    [InlineData("5", "has no unit")]
    [InlineData("5 s", "unknown unit ' s'")]
    [InlineData("5S", "unknown unit 'S'")]
    [InlineData("1.5h", "unknown unit '.5h'")]
    [InlineData("5w", "unknown unit 'w'")]
    [InlineData("+5s", "is not a duration")]
    [InlineData("10675200d", "too large")]
    [InlineData("9223372036854775808ms", "too large")]
    public void Bad_durations_say_why(string text, string messagePart)
    {
        var problem = DurationParser.TryParse(text, out _);

        Assert.NotNull(problem);
        Assert.Contains(messagePart, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Largest_representable_day_count_parses()
    {
        Assert.Null(DurationParser.TryParse("10675199d", out var value));
        Assert.Equal(TimeSpan.FromDays(10_675_199), value);
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1024", 1024L)]
    [InlineData("10B", 10L)]
    [InlineData("1KB", 1000L)]
    [InlineData("1KiB", 1024L)]
    [InlineData("35MiB", 36_700_160L)]
    [InlineData("10MB", 10_000_000L)]
    [InlineData("2GiB", 2_147_483_648L)]
    [InlineData("3GB", 3_000_000_000L)]
    public void Sizes_parse(string text, long octets)
    {
        Assert.Null(SizeParser.TryParse(text, out var value));
        Assert.Equal(octets, value);
    }

    [Theory]
    [InlineData("", "is not a size")]
    [InlineData("MiB", "is not a size")]
    [InlineData("-1", "is not a size")]
    [InlineData("1kb", "unknown unit 'kb'")]
    [InlineData("1 MiB", "unknown unit ' MiB'")]
    [InlineData("1TiB", "unknown unit 'TiB'")]
    [InlineData("1.5MiB", "unknown unit '.5MiB'")]
    [InlineData("9223372036854775808", "too large")]
    [InlineData("8589934592GiB", "too large")]
    public void Bad_sizes_say_why(string text, string messagePart)
    {
        var problem = SizeParser.TryParse(text, out _);

        Assert.NotNull(problem);
        Assert.Contains(messagePart, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0", 8)]
    [InlineData("192.0.2.7", "192.0.2.7", 32)]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0)]
    [InlineData("::1", "::1", 128)]
    [InlineData("::/0", "::", 0)]
    [InlineData("2001:DB8::/32", "2001:db8::", 32)]
    [InlineData("fe80::/10", "fe80::", 10)]
    public void Networks_parse(string text, string address, int prefix)
    {
        Assert.Null(NetworkParser.TryParseNetwork(text, out var network));
        Assert.Equal(IPAddress.Parse(address), network.BaseAddress);
        Assert.Equal(prefix, network.PrefixLength);
    }

    [Theory]
    [InlineData("10.0.0.1/8", "host bits set; did you mean '10.0.0.0/8'?")]
    [InlineData("192.0.2.1/31", "did you mean '192.0.2.0/31'?")]
    [InlineData("2001:db8::8000/112", "did you mean '2001:db8::/112'?")]
    [InlineData("10.0.0.0/-1", "invalid prefix length")]
    [InlineData("10.0.0.0/ 8", "invalid prefix length")]
    [InlineData("10.0.0.0/8/8", "invalid prefix length")]
    [InlineData("1.2.3", "four decimal octets")]
    [InlineData("1.2.3.4.5", "four decimal octets")]
    [InlineData("0x7f.0.0.1", "without leading zeros")]
    [InlineData("127.0.0.01", "without leading zeros")]
    [InlineData(" 10.0.0.0/8", "without leading zeros")]
    [InlineData("::ffff:127.0.0.1", "IPv4-mapped")]
    [InlineData("fe80::1%1/128", "zone indexes")]
    [InlineData("", "four decimal octets")]
    [InlineData("[::1]/128", "not a valid IPv6 address")]
    [InlineData(" ::1", "not a valid IPv6 address")]
    [InlineData("::g", "not a valid IPv6 address")]
    public void Bad_networks_say_why(string text, string messagePart)
    {
        var problem = NetworkParser.TryParseNetwork(text, out _);

        Assert.NotNull(problem);
        Assert.Contains(messagePart, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:25", "127.0.0.1", 25)]
    [InlineData("0.0.0.0:65535", "0.0.0.0", 65535)]
    [InlineData("[::]:1", "::", 1)]
    [InlineData("[2001:db8::1]:587", "2001:db8::1", 587)]
    public void Endpoints_parse(string text, string address, int port)
    {
        Assert.Null(NetworkParser.TryParseEndPoint(text, out var endPoint));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), endPoint);
    }

    [Theory]
    [InlineData("example.test", "example.test")]
    [InlineData("Example.TEST", "example.test")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example", "xn--bcher-kva.example")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("a-b.c1.test", "a-b.c1.test")]
    [InlineData("localhost", "localhost")]
    public void Domains_canonicalise(string text, string canonical)
    {
        Assert.Null(DomainNameParser.TryCanonicalize(text, requireFullyQualified: false, out var value));
        Assert.Equal(canonical, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("example.test.")]
    [InlineData(".example.test")]
    [InlineData("a..test")]
    [InlineData("a b.test")]
    [InlineData("a_b.test")]
    [InlineData("-a.test")]
    [InlineData("a-.test")]
    [InlineData("1.2.3.4")]
    [InlineData("[192.0.2.1]")]
    [InlineData("user@example.test")]
    [InlineData("xn--zz.test")]
    [InlineData("bu\u0308cher.example")]
    [InlineData("\uff45xample.test")]
    public void Bad_domains_are_refused(string text)
    {
        Assert.NotNull(DomainNameParser.TryCanonicalize(text, requireFullyQualified: false, out _));
    }

    [Fact]
    public void Overlong_domain_is_refused()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + ".test";

        Assert.Contains("longer than 253", DomainNameParser.TryCanonicalize(name, false, out _), StringComparison.Ordinal);
    }

    [Fact]
    public void Fully_qualified_requirement_refuses_single_labels()
    {
        Assert.NotNull(DomainNameParser.TryCanonicalize("localhost", requireFullyQualified: true, out _));
        Assert.Null(DomainNameParser.TryCanonicalize("mx.localhost", requireFullyQualified: true, out _));
    }

    [Theory]
    [InlineData("hostnme", "hostname")]
    [InlineData("domians", "domains")]
    [InlineData("listener", "listeners")]
    [InlineData("trusted_network", "trusted_networks")]
    [InlineData("lgging", "logging")]
    public void Suggestions_find_close_keys(string typo, string expected)
    {
        Assert.Equal(expected, KeySuggestion.Closest(typo, ["hostname", "domains", "listeners", "trusted_networks", "logging", "limits"]));
    }

    [Theory]
    [InlineData("zzz")]
    [InlineData("hostnamexyz")]
    [InlineData("")]
    public void Suggestions_stay_silent_when_nothing_is_close(string typo)
    {
        Assert.Null(KeySuggestion.Closest(typo, ["hostname", "domains", "listeners"]));
    }
}
