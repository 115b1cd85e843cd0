using System.CommandLine;
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
        "queue",
        "queue frob",
        "queue list extra",
        "queue show",
        "queue hold --all",
        "queue retry --all abc",
        "trace --since",
        "trace --bogus x",
        "trace extra",
        "run --config a --config b",
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

    [Theory]
    [InlineData("queue list", "list", 0)]
    [InlineData("queue show abc", "show", 1)]
    [InlineData("queue retry --all", "retry", 0)]
    [InlineData("queue delete abc --config x.yaml", "delete", 1)]
    public void Queue_verbs_take_their_arguments(string commandLine, string verb, int arguments)
    {
        var parsed = CommandLine.Parse(commandLine.Split(' '));
        Assert.Null(parsed.Error);
        Assert.Equal(verb, parsed.Verb);
        Assert.Equal(arguments, parsed.Arguments.Count);
    }

    [Fact]
    public void Trace_takes_its_filters()
    {
        var parsed = CommandLine.Parse(["trace", "--from", "a@example.org", "--to=b@example.test", "--since", "2h"]);
        Assert.Null(parsed.Error);
        Assert.Equal("a@example.org", parsed.Option("--from"));
        Assert.Equal("b@example.test", parsed.Option("--to"));
        Assert.Equal("2h", parsed.Option("--since"));
        Assert.Null(parsed.Option("--id"));
    }

    public static TheoryData<string> Commands => new()
    {
        "run",
        "check",
        "queue",
        "queue list",
        "queue show",
        "queue retry",
        "queue hold",
        "queue release",
        "queue delete",
        "trace",
        "passwd",
        "dkim",
        "dkim keygen",
        "dmarc",
        "dmarc report",
        "version",
        "help",
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_has_help(string command)
    {
        var path = command.Split(' ');
        using var output = new StringWriter();

        var exit = GatewayCommands.Create().Parse([.. path, "--help"]).Invoke(new InvocationConfiguration { Output = output });

        Assert.Equal(0, exit);
        var help = output.ToString();
        Assert.Contains("Usage:", help, StringComparison.Ordinal);
        Assert.Contains(" " + command + " ", help, StringComparison.Ordinal);
        Assert.Contains("Description:", help, StringComparison.Ordinal);
    }

    [Fact]
    public void The_top_level_help_lists_every_command()
    {
        using var output = new StringWriter();

        HelpCommand.Execute(GatewayCommands.Create(), output);

        foreach (var command in new[] { "run", "check", "queue", "trace", "passwd", "dkim", "dmarc", "version" })
        {
            Assert.Contains($"  {command} ", output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Usage_errors_name_the_problem()
    {
        Assert.Equal("'queue retry' needs one queue id or --all", CommandLine.Parse(["queue", "retry"]).Error);
        Assert.Equal("'dmarc report' needs --dry-run", CommandLine.Parse(["dmarc", "report"]).Error);
        Assert.Contains("--all", CommandLine.Parse(["queue", "hold", "--all"]).Error, StringComparison.Ordinal);
        Assert.Contains("--selector", CommandLine.Parse(["dkim", "keygen", "--domain", "example.test"]).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tlsrpt report", "report")]
    [InlineData("tlsrpt report --dry-run", "report")]
    [InlineData("tlsrpt report --dry-run --include-today", "report")]
    [InlineData("mta-sts cache", "cache")]
    public void Transport_security_commands_parse(string commandLine, string verb)
    {
        var parsed = CommandLine.Parse(commandLine.Split(' '));
        Assert.Null(parsed.Error);
        Assert.Equal(verb, parsed.Verb);
    }

    [Fact]
    public void Including_today_is_only_for_a_dry_run()
    {
        Assert.Equal("'tlsrpt report --include-today' needs --dry-run: today is not over", CommandLine.Parse(["tlsrpt", "report", "--include-today"]).Error);
    }
}
