using System.CommandLine;

namespace Gateway.Host.Cli;

/// <summary>Help text from the command tree: `gateway help`, and the usage printed with a command-line error.</summary>
internal static class HelpCommand
{
    /// <summary>Writes the help of <paramref name="command"/> (its usage, arguments, options and subcommands).</summary>
    public static int Execute(Command command, TextWriter output)
    {
        // The help of a command is what `<path to it> --help` prints; asking the parser keeps one source of help text.
        var path = new List<string>();
        for (var c = command; c is not null && c is not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            path.Insert(0, c.Name);
        }

        var root = GatewayCommands.Create();
        root.Parse([.. path, "--help"]).Invoke(new InvocationConfiguration { Output = output });
        return ExitCodes.Ok;
    }
}
