using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;

namespace Gateway.Host.Cli;

/// <summary>
/// One parsed command line as the commands read it: the command, for `queue`, `dkim` and `dmarc` the verb, the
/// positional arguments and the options given (flags with an empty value). Parsing, help and usage errors are
/// System.CommandLine's (<see cref="GatewayCommands"/>); this is the flat view the command classes work from.
/// </summary>
internal sealed record CommandLine(
    string Command,
    string ConfigPath,
    string? Verb,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Options,
    string? Error)
{
    public string? Option(string name) => Options.TryGetValue(name, out var value) ? value : null;

    public bool Flag(string name) => Options.ContainsKey(name);

    /// <summary>Parses <paramref name="args"/> with the command tree; <see cref="Error"/> holds the first problem.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args) => From(GatewayCommands.Create().Parse(args));

    public static CommandLine From(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var path = new List<string>();
        for (SymbolResult? node = result.CommandResult; node is CommandResult { Command: not RootCommand } command; node = node.Parent)
        {
            path.Insert(0, command.Command.Name);
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var arguments = new List<string>();
        for (SymbolResult? node = result.CommandResult; node is CommandResult command; node = node.Parent)
        {
            // A command's own arguments keep their order (`keys import ID FILE`); a parent's come before them.
            var own = new List<string>();
            foreach (var child in command.Children)
            {
                switch (child)
                {
                    case OptionResult { Implicit: false } option when option.Option is not HelpOption:
                        options[option.Option.Name] = option.Tokens.Count > 0 ? option.Tokens[^1].Value : string.Empty;
                        break;
                    case ArgumentResult argument:
                        own.AddRange(argument.Tokens.Select(t => t.Value));
                        break;
                }
            }

            arguments.InsertRange(0, own);
        }

        // `gateway --help` and `gateway --version` are the help and version commands by another spelling.
        var name = path.Count > 0 ? path[0]
            : options.ContainsKey("--version") ? "version"
            : result.Action is HelpAction ? "help"
            : string.Empty;
        return new CommandLine(
            name,
            options.GetValueOrDefault("--config", GatewayCommands.DefaultConfigPath),
            path.Count > 1 ? path[1] : null,
            arguments,
            options,
            result.Errors.Count > 0 ? result.Errors[0].Message : null);
    }
}
