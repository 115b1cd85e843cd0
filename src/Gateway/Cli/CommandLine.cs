namespace Gateway.Host.Cli;

/// <summary>
/// The parsed command line: a command, for `queue` a verb, positional arguments and options. Kept hand-written:
/// a handful of commands do not need a framework, and every mistake must end in the usage text with exit 2.
/// </summary>
internal sealed record CommandLine(
    string Command,
    string ConfigPath,
    string? Verb,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Options,
    string? Error)
{
    public const string DefaultConfigPath = "policies/gateway.yaml";

    public static string Usage { get; } =
        """
        usage: gateway <command> [options]

        commands:
          run     [--config FILE]        run the gateway (default config: policies/gateway.yaml)
          check   [--config FILE]        validate the policy set; prints file:line:column: message per problem
          queue   list                   list queued messages
          queue   show ID                show one message: envelope, per-recipient state, headers
          queue   retry ID | --all       attempt delivery now
          queue   hold ID | release ID   stop / resume delivery attempts for a message
          queue   delete ID              remove a message (logged in the trace log with who and when)
                  (queue commands take [--config FILE] and work on a running or stopped gateway's spool)
          trace   [--from ADDR] [--to ADDR] [--id QUEUEID] [--since DURATION] [--config FILE]
                                         what happened to matching messages (default --since 24h)
          passwd  USER                   read a password on standard input, print a credentials-file line
          dkim    keygen --domain D --selector S [--algorithm rsa|ed25519] [--bits N] [--out FILE]
                                         write a new DKIM signing key (PEM, mode 0600) and print its DNS TXT record
          dmarc   report --dry-run [--config FILE]
                                         print the DMARC aggregate reports (XML) the next run would send
          version                        print the version
          help                           print this text

        """;

    private static readonly Dictionary<string, string[]> OptionsByCommand = new(StringComparer.Ordinal)
    {
        ["run"] = ["--config"],
        ["check"] = ["--config"],
        ["queue"] = ["--config", "--all"],
        ["trace"] = ["--config", "--from", "--to", "--id", "--since"],
        ["passwd"] = [],
        ["dkim"] = ["--domain", "--selector", "--algorithm", "--bits", "--out"],
        ["dmarc"] = ["--config", "--dry-run"],
        ["version"] = [],
        ["help"] = [],
    };

    private static readonly string[] FlagOptions = ["--all", "--dry-run"];

    private static readonly Dictionary<string, int> QueueVerbArguments = new(StringComparer.Ordinal)
    {
        ["list"] = 0,
        ["show"] = 1,
        ["retry"] = 1,
        ["hold"] = 1,
        ["release"] = 1,
        ["delete"] = 1,
    };

    public string? Option(string name) => Options.TryGetValue(name, out var value) ? value : null;

    public bool Flag(string name) => Options.ContainsKey(name);

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            return Fail("help", "no command given");
        }

        var command = args[0] switch
        {
            "--help" or "-h" => "help",
            "--version" => "version",
            var c => c,
        };
        if (!OptionsByCommand.TryGetValue(command, out var allowed))
        {
            return Fail(command, $"unknown command '{args[0]}'");
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var positional = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
            {
                positional.Add(arg);
                continue;
            }

            var name = arg;
            string? value = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }

            if (name == "-c")
            {
                name = "--config";
            }

            if (!allowed.Contains(name))
            {
                return Fail(command, $"unknown option '{arg}' for '{command}'");
            }

            if (options.ContainsKey(name))
            {
                return Fail(command, $"option '{name}' given twice");
            }

            if (FlagOptions.Contains(name))
            {
                if (value is not null)
                {
                    return Fail(command, $"option '{name}' takes no value");
                }

                options[name] = string.Empty;
                continue;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    return Fail(command, $"option '{name}' needs a value");
                }

                value = args[++i];
            }

            options[name] = value;
        }

        string? verb = null;
        switch (command)
        {
            case "queue":
                if (positional.Count == 0 || !QueueVerbArguments.TryGetValue(positional[0], out var expected))
                {
                    return Fail(command, positional.Count == 0 ? "queue needs a verb" : $"unknown queue verb '{positional[0]}'");
                }

                verb = positional[0];
                positional.RemoveAt(0);
                var all = options.ContainsKey("--all");
                if (all && verb != "retry")
                {
                    return Fail(command, "--all only goes with 'queue retry'");
                }

                if (positional.Count != (all ? 0 : expected))
                {
                    return Fail(command, expected == 0 ? $"'queue {verb}' takes no arguments" : $"'queue {verb}' needs one queue id");
                }

                break;
            case "dkim":
                if (positional is not ["keygen"])
                {
                    return Fail(command, positional.Count == 0 ? "dkim needs a verb (keygen)" : $"unknown dkim verb '{positional[0]}'");
                }

                verb = positional[0];
                positional.Clear();
                if (!options.ContainsKey("--domain") || !options.ContainsKey("--selector"))
                {
                    return Fail(command, "'dkim keygen' needs --domain and --selector");
                }

                break;
            case "dmarc":
                if (positional is not ["report"])
                {
                    return Fail(command, positional.Count == 0 ? "dmarc needs a verb (report)" : $"unknown dmarc verb '{positional[0]}'");
                }

                verb = positional[0];
                positional.Clear();
                if (!options.ContainsKey("--dry-run"))
                {
                    // Reports are sent by the running gateway; by hand they are only shown.
                    return Fail(command, "'dmarc report' needs --dry-run");
                }

                break;
            case "passwd":
                if (positional.Count != 1)
                {
                    return Fail(command, "passwd needs exactly one user name");
                }

                break;
            default:
                if (positional.Count > 0)
                {
                    return Fail(command, $"unexpected argument '{positional[0]}' for '{command}'");
                }

                break;
        }

        return new CommandLine(command, options.GetValueOrDefault("--config", DefaultConfigPath), verb, positional, options, null);
    }

    private static CommandLine Fail(string command, string error) =>
        new(command, DefaultConfigPath, null, [], new Dictionary<string, string>(), error);
}
