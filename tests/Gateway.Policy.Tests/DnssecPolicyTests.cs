namespace Gateway.Policy.Tests;

/// <summary>dns.dnssec: whether the configured resolvers' AD bit is trusted.</summary>
public sealed class DnssecPolicyTests : IDisposable
{
    /// <summary>Minimal policy (4 lines), "dns:" at line 5, <paramref name="body"/> from line 6.</summary>
    private static string Dns(string body) => PolicyFiles.Minimal + "dns:\n" + body;

    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    private DnsPolicy Valid(string text)
    {
        var result = _files.Load(text);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        return result.Policy!.Dns;
    }

    private PolicyError SingleError(string text)
    {
        var result = _files.Load(text);
        Assert.False(result.Success);
        Assert.Null(result.Policy);
        var error = Assert.Single(result.Errors);
        Assert.Equal(_files.PathOf("gateway.yaml"), error.File);
        return error;
    }

    [Fact]
    public void Default_is_off()
    {
        Assert.Equal(DnssecMode.Off, Valid(PolicyFiles.Minimal).Dnssec);
        Assert.Equal(DnssecMode.Off, Valid(Dns("  timeout: 2s\n")).Dnssec);

        // An empty value is an absent key, as for every other key.
        Assert.Equal(DnssecMode.Off, Valid(Dns("  dnssec:\n")).Dnssec);
    }

    [Theory]
    [InlineData("off", DnssecMode.Off)]
    [InlineData("validating", DnssecMode.Validating)]
    [InlineData("\"validating\"", DnssecMode.Validating)]
    public void Values_are_read(string value, DnssecMode expected)
        => Assert.Equal(expected, Valid(Dns($"  servers: [127.0.0.1]\n  dnssec: {value}\n")).Dnssec);

    [Fact]
    public void Validating_goes_with_the_other_dns_keys()
    {
        var dns = Valid(Dns("  servers: [\"127.0.0.1:5353\"]\n  timeout: 1s\n  dnssec: validating\n"));

        Assert.Equal(DnssecMode.Validating, dns.Dnssec);
        Assert.Equal(5353, Assert.Single(dns.Servers).Port);
        Assert.Equal(TimeSpan.FromSeconds(1), dns.Timeout);
    }

    [Fact]
    public void Shipped_policy_documents_the_key_with_its_default()
    {
        var path = Path.Combine(PolicyFiles.RepositoryRoot(), "policies", "gateway.yaml");
        var result = PolicyLoader.Load(path);

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(DnssecMode.Off, result.Policy!.Dns.Dnssec);
        Assert.Contains(File.ReadAllLines(path), l => l.StartsWith("  dnssec: off ", StringComparison.Ordinal) && l.Contains("validating", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("dnssec: validting", 11, "dns.dnssec: 'validting' is not one of off, validating; did you mean 'validating'?")]
    [InlineData("dnssec: validate", 11, "dns.dnssec: 'validate' is not one of off, validating")]
    [InlineData("dnssec: on", 11, "dns.dnssec: 'on' is not one of off, validating")]
    [InlineData("dnssec: yes", 11, "dns.dnssec: 'yes' is not one of off, validating")]
    [InlineData("dnssec: Validating", 11, "dns.dnssec: 'Validating' is not one of off, validating")]
    [InlineData("dnssec: true", 11, "dns.dnssec: 'true' is not one of off, validating")]
    [InlineData("dnssec: [validating]", 11, "dns.dnssec: expected one of off, validating, found a sequence")]
    public void Bad_values_are_reported_at_the_value(string line, int column, string message)
    {
        var error = SingleError(Dns("  " + line + "\n"));

        Assert.True(error.Line == 6 && error.Column == column, $"expected 6:{column}, got {error}");
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Misspelt_key_suggests_dnssec()
    {
        var error = SingleError(Dns("  dnsec: validating\n"));

        Assert.Equal((6, 3), (error.Line, error.Column));
        Assert.Equal("unknown key 'dnsec' in dns; did you mean 'dnssec'?", error.Message);
    }

    [Fact]
    public void Errors_render_as_file_line_column_message()
    {
        var error = SingleError(Dns("  dnssec: validate\n"));

        Assert.StartsWith($"{_files.PathOf("gateway.yaml")}:6:11: dns.dnssec: ", error.ToString(), StringComparison.Ordinal);
    }
}
