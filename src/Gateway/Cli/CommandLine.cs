namespace Gateway.Host.Cli;

/// <summary>The parsed command line: one command, then options. Kept hand-written: four commands do not need a framework.</summary>
internal sealed record CommandLine(string Command, string ConfigPath, string? User, string? Error)
{
    public const string DefaultConfigPath = "policies/gateway.yaml";

    public static string Usage { get; } =
        """
        usage: gateway <command> [options]

        commands:
          run     [--config FILE]   run the gateway (default config: policies/gateway.yaml)
          check   [--config FILE]   validate the policy set; prints file:line:column: message per problem
          passwd  USER              read a password on standard input, print a credentials-file line
          version                   print the version
          help                      print this text

        """;

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            return new CommandLine("help", DefaultConfigPath, null, "no command given");
        }

        var command = args[0];
        var config = DefaultConfigPath;
        string? user = null;
        var takesConfig = command is "run" or "check";

        if (command is not ("run" or "check" or "passwd" or "version" or "help" or "--help" or "-h" or "--version"))
        {
            return new CommandLine(command, config, null, $"unknown command '{command}'");
        }

        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (takesConfig && (arg is "--config" or "-c"))
            {
                if (i + 1 >= args.Count)
                {
                    return new CommandLine(command, config, null, $"option '{arg}' needs a file");
                }

                config = args[++i];
            }
            else if (takesConfig && arg.StartsWith("--config=", StringComparison.Ordinal))
            {
                config = arg["--config=".Length..];
            }
            else if (command == "passwd" && user is null && !arg.StartsWith('-'))
            {
                user = arg;
            }
            else
            {
                return new CommandLine(command, config, null, $"unknown option '{arg}' for '{command}'");
            }
        }

        if (command == "passwd" && user is null)
        {
            return new CommandLine(command, config, null, "passwd needs a user name");
        }

        var normalized = command switch
        {
            "--help" or "-h" => "help",
            "--version" => "version",
            _ => command,
        };
        return new CommandLine(normalized, config, user, null);
    }
}
