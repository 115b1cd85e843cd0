namespace Gateway.Policy.Tests;

/// <summary>The limits added for the message pipeline and slow clients: header_section, min_data_rate, min_data_rate_grace.</summary>
public sealed class LimitsPolicyTests : IDisposable
{
    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Defaults_are_one_mebibyte_and_240_octets_a_second_after_ten_seconds()
    {
        var limits = _files.Load(PolicyFiles.Minimal).Policy!.Limits;

        Assert.Equal(1024 * 1024, limits.HeaderSection);
        Assert.Equal(240, limits.MinDataRate);
        Assert.Equal(TimeSpan.FromSeconds(10), limits.MinDataRateGrace);
    }

    [Fact]
    public void Values_are_read()
    {
        var result = _files.Load(PolicyFiles.Minimal + "limits:\n  header_section: 256KiB\n  min_data_rate: 0\n  min_data_rate_grace: 30s\n");

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(256 * 1024, result.Policy!.Limits.HeaderSection);
        Assert.Equal(0, result.Policy.Limits.MinDataRate);
        Assert.Equal(TimeSpan.FromSeconds(30), result.Policy.Limits.MinDataRateGrace);
    }

    [Theory]
    [InlineData("  header_section: 1KiB\n", "limits.header_section")]
    [InlineData("  header_section: 9MiB\n", "limits.header_section")]
    [InlineData("  min_data_rate: -1\n", "limits.min_data_rate")]
    [InlineData("  min_data_rate_grace: 0s\n", "limits.min_data_rate_grace")]
    public void Out_of_range_values_are_reported_at_their_node(string line, string name)
    {
        var result = _files.Load(PolicyFiles.Minimal + "limits:\n" + line);

        var error = Assert.Single(result.Errors);
        Assert.Equal(6, error.Line);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }
}
