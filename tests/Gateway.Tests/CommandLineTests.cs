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

    public static TheoryData<string> BadCommandLines => new()
    {
        string.Empty,
        "serve",
        "run --verbose",
        "run --config",
        "version --config x",
        "passwd",
        "passwd a b",
    };

    [Theory]
    [MemberData(nameof(BadCommandLines))]
    public void Bad_command_lines_are_usage_errors(string commandLine)
    {
        var args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
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
