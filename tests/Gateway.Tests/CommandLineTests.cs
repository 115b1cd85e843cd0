using Gateway.Host.Cli;

namespace Gateway.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Run_defaults_to_the_shipped_policy()
    {
        var parsed = CommandLine.Parse(["run"]);
        Assert.Null(parsed.Error);
        Assert.Equal("run", parsed.Command);
        Assert.Equal("policies/gateway.yaml", parsed.ConfigPath);
    }

    [Theory]
    [InlineData("--config", "x.yaml")]
    [InlineData("-c", "x.yaml")]
    public void Config_option_is_taken_in_both_spellings(string option, string value)
    {
        var parsed = CommandLine.Parse(["check", option, value]);
        Assert.Null(parsed.Error);
        Assert.Equal("x.yaml", parsed.ConfigPath);
    }

    [Fact]
    public void Config_with_equals_is_taken()
    {
        Assert.Equal("y.yaml", CommandLine.Parse(["run", "--config=y.yaml"]).ConfigPath);
    }

    [Theory]
    [InlineData(new string[0])]
    [InlineData(new[] { "serve" })]
    [InlineData(new[] { "run", "--verbose" })]
    [InlineData(new[] { "run", "--config" })]
    [InlineData(new[] { "version", "--config", "x" })]
    [InlineData(new[] { "passwd" })]
    [InlineData(new[] { "passwd", "a", "b" })]
    public void Bad_command_lines_are_usage_errors(string[] args)
    {
        Assert.NotNull(CommandLine.Parse(args).Error);
    }

    [Theory]
    [InlineData("--help", "help")]
    [InlineData("-h", "help")]
    [InlineData("--version", "version")]
    public void Conventional_flags_map_to_commands(string flag, string command)
    {
        var parsed = CommandLine.Parse([flag]);
        Assert.Null(parsed.Error);
        Assert.Equal(command, parsed.Command);
    }
}
