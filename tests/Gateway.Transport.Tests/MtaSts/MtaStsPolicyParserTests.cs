using Gateway.Transport.MtaSts;

namespace Gateway.Transport.Tests.MtaSts;

public sealed class MtaStsPolicyParserTests
{
    [Fact]
    public void The_example_of_the_rfc_parses()
    {
        // RFC 8461 3.2's example, CRLF-terminated as served.
        const string text = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n";

        var result = MtaStsPolicyParser.Parse(text);

        Assert.True(result.IsValid, result.Error);
        var policy = result.Policy!;
        Assert.Equal(MtaStsMode.Enforce, policy.Mode);
        Assert.Equal(["mail.example.com", "*.example.net", "backupmx.example.com"], policy.MxPatterns);
        Assert.Equal(TimeSpan.FromSeconds(604800), policy.MaxAge);
        Assert.Equal(text, policy.Text);
    }

    [Theory]
    [InlineData("version: STSv1\nmode: testing\nmx: mx.example.com\nmax_age: 86400\n")]
    [InlineData("version: STSv1\nmode: testing\nmx: mx.example.com\nmax_age: 86400")]
    [InlineData("version: STSv1\r\nmode: testing\nmx: mx.example.com\r\nmax_age: 86400")]
    [InlineData("mode: testing\nmx: mx.example.com\nmax_age: 86400\nversion: STSv1\n")]
    [InlineData("version:STSv1\nmode:\t testing  \nmx: mx.example.com\t\nmax_age: 86400\n")]
    [InlineData("version: STSv1\nmode: testing\nmx: mx.example.com\nmax_age: 86400\n\n\n")]
    [InlineData("version: STSv1\nmode: testing\nmx: MX.Example.COM\nmax_age: 86400\nx-note: anything at all, even ünïcode\n")]
    public void Valid_layouts(string text)
    {
        var result = MtaStsPolicyParser.Parse(text);

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(MtaStsMode.Testing, result.Policy!.Mode);
        Assert.Equal(["mx.example.com"], result.Policy.MxPatterns);
        Assert.Equal(TimeSpan.FromDays(1), result.Policy.MaxAge);
    }

    [Fact]
    public void Mode_none_needs_no_mx()
    {
        var result = MtaStsPolicyParser.Parse("version: STSv1\nmode: none\nmax_age: 0\n");

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(MtaStsMode.None, result.Policy!.Mode);
        Assert.Empty(result.Policy.MxPatterns);
        Assert.Equal(TimeSpan.Zero, result.Policy.MaxAge);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("31557600", 31557600)]
    [InlineData("0000086400", 86400)]
    public void Max_age_bounds(string value, long seconds)
    {
        var result = MtaStsPolicyParser.Parse($"version: STSv1\nmode: none\nmax_age: {value}\n");

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), result.Policy!.MaxAge);
    }

    [Theory]
    [InlineData("31557601")]
    [InlineData("00000864000")]
    [InlineData("99999999999999999999")]
    [InlineData("-1")]
    [InlineData("+86400")]
    [InlineData("86400s")]
    [InlineData("8 6400")]
    [InlineData("1e5")]
    public void Max_age_out_of_bounds_or_not_digits(string value)
    {
        var result = MtaStsPolicyParser.Parse($"version: STSv1\nmode: none\nmax_age: {value}\n");

        Assert.False(result.IsValid);
        Assert.Contains("max_age", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mx.example.com", "mx.example.com")]
    [InlineData("*.example.com", "*.example.com")]
    [InlineData("*.Example.Com", "*.example.com")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    public void Valid_mx_patterns(string value, string pattern)
    {
        var result = MtaStsPolicyParser.Parse($"version: STSv1\nmode: enforce\nmx: {value}\nmax_age: 60\n");

        Assert.True(result.IsValid, result.Error);
        Assert.Equal([pattern], result.Policy!.MxPatterns);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("*.")]
    [InlineData("**.example.com")]
    [InlineData("mx*.example.com")]
    [InlineData("*mx.example.com")]
    [InlineData("mx.*.example.com")]
    [InlineData("*.*.example.com")]
    [InlineData("mx.example.com.")]
    [InlineData("mx..example.com")]
    [InlineData("-mx.example.com")]
    [InlineData("mx_1.example.com")]
    [InlineData("mx.example.com:25")]
    [InlineData("mx.example.com mx2.example.com")]
    [InlineData("192.0.2.1")]
    [InlineData("[192.0.2.1]")]
    public void Invalid_mx_patterns(string value)
    {
        var result = MtaStsPolicyParser.Parse($"version: STSv1\nmode: enforce\nmx: {value}\nmax_age: 60\n");

        Assert.False(result.IsValid);
        Assert.Contains("mx", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mode: enforce\nmx: mx.example.com\nmax_age: 60\n", "version field is missing")]
    [InlineData("version: STSv1\nmx: mx.example.com\nmax_age: 60\n", "mode field is missing")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mx.example.com\n", "max_age field is missing")]
    [InlineData("version: STSv1\nmode: enforce\nmax_age: 60\n", "no mx field")]
    [InlineData("version: STSv1\nmode: testing\nmax_age: 60\n", "no mx field")]
    [InlineData("", "version field is missing")]
    public void Missing_fields(string text, string reason)
    {
        var result = MtaStsPolicyParser.Parse(text);

        Assert.False(result.IsValid);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version: STSv1\nversion: STSv1\nmode: none\nmax_age: 60\n", "'version' appears more than once")]
    [InlineData("version: STSv1\nmode: none\nmode: enforce\nmx: a.example\nmax_age: 60\n", "'mode' appears more than once")]
    [InlineData("version: STSv1\nmode: none\nmax_age: 60\nmax_age: 60\n", "'max_age' appears more than once")]
    public void Duplicate_singular_fields(string text, string reason)
    {
        var result = MtaStsPolicyParser.Parse(text);

        Assert.False(result.IsValid);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version: STSv2\nmode: none\nmax_age: 60\n", "is not STSv1")]
    [InlineData("version: stsv1\nmode: none\nmax_age: 60\n", "is not STSv1")]
    [InlineData("version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 60\n", "is not enforce, testing or none")]
    [InlineData("version: STSv1\nmode: report\nmax_age: 60\n", "is not enforce, testing or none")]
    [InlineData("Version: STSv1\nmode: none\nmax_age: 60\n", "version field is missing")]
    [InlineData("version : STSv1\nmode: none\nmax_age: 60\n", "invalid field name")]
    [InlineData("version STSv1\nmode: none\nmax_age: 60\n", "not a 'name: value' field")]
    [InlineData("version: STSv1\n\nmode: none\nmax_age: 60\n", "line 2: not a 'name: value' field")]
    [InlineData("version: STSv1\r\n\r\nmode: none\r\nmax_age: 60\r\n", "line 2: not a 'name: value' field")]
    [InlineData("version: STSv1\rmode: none\nmax_age: 60\n", "line 1: invalid value")]
    [InlineData("version: STSv1\nmode:\nmax_age: 60\n", "line 2: invalid value")]
    [InlineData("version: STSv1\nmode: none\nmax_age: 60\nx-ext: a\tb\n", "line 4: invalid value")]
    [InlineData("version: STSv1\nmode: none\nmax_age: 60\n_ext: a\n", "invalid field name")]
    [InlineData(" version: STSv1\nmode: none\nmax_age: 60\n", "invalid field name")]
    public void Malformed_fields(string text, string reason)
    {
        var result = MtaStsPolicyParser.Parse(text);

        Assert.False(result.IsValid);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_policy_is_refused()
    {
        var text = "version: STSv1\nmode: none\nmax_age: 60\nx-pad: " + new string('x', MtaStsPolicyParser.MaxPolicyLength) + "\n";

        var result = MtaStsPolicyParser.Parse(text);

        Assert.False(result.IsValid);
        Assert.Contains("longer than", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parsed_patterns_match_mx_hosts_as_rfc_8461_4_1_says()
    {
        var policy = MtaStsPolicyParser.Parse("version: STSv1\nmode: enforce\nmx: *.example.net\nmx: mail.example.com\nmax_age: 60\n").Policy!;

        Assert.True(policy.MatchesMx("mx1.example.net"));
        Assert.True(policy.MatchesMx("MAIL.example.com."));
        Assert.False(policy.MatchesMx("a.b.example.net"));
        Assert.False(policy.MatchesMx("example.net"));
    }
}
