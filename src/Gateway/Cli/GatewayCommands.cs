using System.CommandLine;

namespace Gateway.Host.Cli;

/// <summary>
/// The `gateway` command tree on System.CommandLine: every command, its arguments and options with their help
/// text, and the checks the grammar alone cannot express. Built fresh for each parse (no shared mutable state);
/// what each command does lives in its own *Command class.
/// </summary>
internal static class GatewayCommands
{
    public static string DefaultConfigPath => GatewayLayout.Current.DefaultConfigPath;

    public static RootCommand Create()
    {
        var root = new RootCommand("An SMTP mail gateway: relay control, sender authentication, a durable queue.");

        // Our own --version prints "gateway VERSION", as `gateway version` does.
        foreach (var option in root.Options.OfType<VersionOption>().ToList())
        {
            root.Options.Remove(option);
        }

        var version = new Option<bool>("--version") { Description = "Print the version." };
        version.Action = new VersionAction();
        root.Options.Add(version);

        root.Subcommands.Add(Init());
        root.Subcommands.Add(Run());
        root.Subcommands.Add(Check());
        root.Subcommands.Add(Health());
        root.Subcommands.Add(Queue());
        root.Subcommands.Add(Quarantine());
        root.Subcommands.Add(Trace());
        root.Subcommands.Add(Passwd());
        root.Subcommands.Add(Dkim());
        root.Subcommands.Add(Dmarc());
        root.Subcommands.Add(MtaSts());
        root.Subcommands.Add(TlsRpt());
        root.Subcommands.Add(Ca());
        root.Subcommands.Add(Keys());
        root.Subcommands.Add(Audit());
        root.Subcommands.Add(Spam());
        root.Subcommands.Add(Leaf("version", "Print the version.", _ => Task.FromResult(VersionCommand.Execute())));
        root.Subcommands.Add(Leaf("help", "Print this text.", result => Task.FromResult(HelpCommand.Execute(result.RootCommandResult.Command, Console.Out))));
        return root;
    }

    internal static Option<string> Config(bool recursive = false) => new("--config", "-c")
    {
        Description = $"The policy file (default {DefaultConfigPath}).",
        HelpName = "FILE",
        Recursive = recursive,
    };

    internal static Option<string> Value(string name, string helpName, string description, bool required = false) => new(name)
    {
        Description = description,
        HelpName = helpName,
        Required = required,
    };

    internal static Command Leaf(string name, string description, Func<ParseResult, Task<int>> action, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option option:
                    command.Options.Add(option);
                    break;
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
            }
        }

        command.SetAction((result, _) => action(result));
        return command;
    }

    private static Command Init()
    {
        var hostname = Value("--hostname", "H", "This gateway's fully qualified name (greeting, EHLO, Received; what your MX record names).", required: true);
        var domain = Value("--domain", "D", "Your mail domain: mail to it is inbound.", required: true);
        var internalHost = Value("--internal", "HOST[:PORT]", "The internal mail server inbound mail goes to (port 25 by default; [IPv6]:PORT).", required: true);
        var trusted = new Option<string[]>("--trusted-network")
        {
            Description = "A network (CIDR) allowed to relay outbound through the gateway, e.g. the internal server's; repeatable. Loopback always is.",
            HelpName = "CIDR",
        };
        var directory = Value("--dir", "DIR", $"Where to write gateway.yaml (default {GatewayLayout.Current.ConfigDirectory}).");
        var state = Value("--state-dir", "DIR", $"The state directory the policy names (default {GatewayLayout.Current.StateDirectory}).");
        return Leaf(
            "init",
            "Write a first policy set (gateway.yaml) from four answers; never overwrites an existing policy.",
            result => Task.FromResult(InitCommand.Execute(
                new InitRequest(
                    result.GetValue(hostname)!,
                    result.GetValue(domain)!,
                    result.GetValue(internalHost)!,
                    result.GetValue(trusted) ?? [],
                    result.GetValue(directory) ?? GatewayLayout.Current.ConfigDirectory,
                    result.GetValue(state) ?? GatewayLayout.Current.StateDirectory),
                CommandConsole.System,
                TimeProvider.System)),
            hostname,
            domain,
            internalHost,
            trusted,
            directory,
            state);
    }

    private static Command Run() => Leaf(
        "run",
        "Run the gateway. SIGTERM/Ctrl-C: stop accepting, drain sessions, exit. SIGHUP: reload the policy.",
        result => RunCommand.ExecuteAsync(CommandLine.From(result)),
        Config());

    private static Command Check() => Leaf(
        "check",
        "Validate the policy set as `run` would load it (certificates and keys included); print file:line:column: message per problem.",
        result => Task.FromResult(CheckCommand.Execute(CommandLine.From(result))),
        Config());

    private static Command Health() => Leaf(
        "health",
        "Ask the running gateway's admin endpoint for /health and print it; exit 0 only while the SMTP listeners accept.",
        result => HealthCommand.ExecuteAsync(CommandLine.From(result), CommandConsole.System),
        Config(),
        Value(
            "--socket",
            "PATH",
            "Ask over the running gateway's control socket (<state>/control.sock) and read no policy: an edit with an error, or an admin.listen not yet applied, does not make a running gateway look unhealthy (the container's HEALTHCHECK)."));

    private static Command Queue()
    {
        var queue = new Command("queue", "Work on the queue of a running or stopped gateway (the spool files directly).");
        queue.Options.Add(Config(recursive: true));
        queue.Subcommands.Add(Leaf("list", "List queued messages: age, size, sender, pending recipients, last reply.", QueueAction));
        queue.Subcommands.Add(Leaf("show", "Show one message: envelope, per-recipient state, headers.", QueueAction, QueueId()));

        var all = new Option<bool>("--all") { Description = "Every message in the queue." };
        var id = QueueId(optional: true);
        var retry = Leaf("retry", "Attempt delivery now.", QueueAction, id, all);
        retry.Validators.Add(result =>
        {
            var hasId = result.GetValue(id) is not null;
            if (hasId == result.GetValue(all))
            {
                result.AddError("'queue retry' needs one queue id or --all");
            }
        });
        queue.Subcommands.Add(retry);
        queue.Subcommands.Add(Leaf("hold", "Stop delivery attempts for a message.", QueueAction, QueueId()));
        queue.Subcommands.Add(Leaf("release", "Resume delivery attempts for a held message.", QueueAction, QueueId()));
        queue.Subcommands.Add(Leaf("delete", "Remove a message (the trace log records who and when).", QueueAction, QueueId()));
        return queue;
    }

    private static Task<int> QueueAction(ParseResult result) => QueueCommand.ExecuteAsync(CommandLine.From(result));

    private static Command Quarantine()
    {
        var quarantine = new Command("quarantine", "Work on the quarantine (held messages with their verdict) of a running or stopped gateway.");
        quarantine.Options.Add(Config(recursive: true));
        quarantine.Subcommands.Add(Leaf("list", "List quarantined messages: age, time left, size, source, sender, recipients, reason.", QuarantineAction));
        quarantine.Subcommands.Add(Leaf("show", "Show one item: verdict, reasons, envelope, headers.", QuarantineAction, QueueId()));
        var learn = new Option<bool>("--learn", "--train-ham") { Description = "Also keep a copy under the state directory's spam/learn/ham/ for `gateway spam train --ham`." };
        quarantine.Subcommands.Add(Leaf("release", "Deliver an item to its original recipients through the queue.", QuarantineAction, QueueId(), learn));
        quarantine.Subcommands.Add(Leaf("delete", "Remove an item (the trace log records who and when).", QuarantineAction, QueueId()));
        return quarantine;
    }

    private static Task<int> QuarantineAction(ParseResult result) => QuarantineCommand.ExecuteAsync(CommandLine.From(result));

    private static Argument<string> QueueId(bool optional = false)
    {
        var id = new Argument<string>("ID")
        {
            Description = "The queue id (as `queue list` and the 250 reply show it).",
            Arity = optional ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
        };

        // The parser takes an option this verb does not know (`queue hold --all`) for the id; it is a usage error.
        id.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.StartsWith('-')))
            {
                result.AddError($"Unrecognized option '{token.Value}'.");
            }
        });
        return id;
    }

    private static Command Trace() => Leaf(
        "trace",
        "What happened to matching messages: received, each attempt with the remote reply, deferrals, delivery, notices, deletion.",
        result => TraceCommand.ExecuteAsync(CommandLine.From(result)),
        Config(),
        Value("--from", "ADDR", "Sender contains this."),
        Value("--to", "ADDR", "A recipient contains this."),
        Value("--id", "QUEUEID", "This queue id."),
        Value("--msgid", "MESSAGE-ID", "The message with this Message-ID field (angle brackets optional)."),
        Value("--since", "DURATION", "How far back, e.g. 2h or 7d (default 24h)."));

    private static Command Passwd() => Leaf(
        "passwd",
        "Read a password on standard input and print a USER:hash line for the credentials file.",
        result => PasswdCommand.ExecuteAsync(CommandLine.From(result)),
        new Argument<string>("USER") { Description = "The user name (no ':', spaces or control characters)." });

    private static Command Dkim()
    {
        var dkim = new Command("dkim", "DKIM signing keys.");
        dkim.Subcommands.Add(Leaf(
            "keygen",
            "Write a new DKIM signing key (PEM, mode 0600, never overwriting a file) and print the TXT record to publish.",
            result => DkimCommand.ExecuteAsync(CommandLine.From(result)),
            Value("--domain", "D", "The signing domain (d=).", required: true),
            Value("--selector", "S", "The selector (s=); the record goes to S._domainkey.D.", required: true),
            Value("--algorithm", "rsa|ed25519", "Key type (default rsa)."),
            Value("--bits", "N", "RSA key size, 1024-4096 (default 2048)."),
            Value("--out", "FILE", "Where to write the key (default D.S.pem).")));
        return dkim;
    }

    private static Command Dmarc()
    {
        var dmarc = new Command("dmarc", "DMARC aggregate reports.");
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the reports (XML) and their destinations; send nothing." };
        var report = Leaf(
            "report",
            "Print the DMARC aggregate reports the next reporting run would send.",
            result => DmarcCommand.ExecuteAsync(CommandLine.From(result)),
            Config(),
            dryRun);

        // Reports are sent by the running gateway; by hand they are only shown.
        report.Validators.Add(result =>
        {
            if (!result.GetValue(dryRun))
            {
                result.AddError("'dmarc report' needs --dry-run");
            }
        });
        dmarc.Subcommands.Add(report);
        return dmarc;
    }

    private static Command MtaSts()
    {
        var sts = new Command("mta-sts", "MTA-STS (RFC 8461): our own policy, and the destinations' policies we cached.");
        sts.Subcommands.Add(Leaf(
            "records",
            "Print the _mta-sts and _smtp._tls TXT records to publish for one of our domains, and the policy served for it.",
            result => MtaStsCommand.ExecuteAsync(CommandLine.From(result)),
            Config(),
            Value("--domain", "D", "One of our domains.", required: true)));
        sts.Subcommands.Add(Leaf(
            "cache",
            "List the destinations' cached MTA-STS policies: domain, policy id, mode, expiry, MX patterns.",
            result => MtaStsCacheCommand.ExecuteAsync(CommandLine.From(result)),
            Config()));
        return sts;
    }

    private static Command TlsRpt()
    {
        var tlsrpt = new Command("tlsrpt", "TLS reports (RFC 8460) about our deliveries, for the domains that ask for them.");
        var dryRun = new Option<bool>("--dry-run") { Description = "Print each pending report (policy domain, rua destinations, JSON); send and forget nothing." };
        var includeToday = new Option<bool>("--include-today") { Description = "With --dry-run: also today's counts so far." };
        var report = Leaf(
            "report",
            "Send the reports of the completed days (only while no gateway runs: a running gateway sends them itself).",
            result => TlsRptCommand.ExecuteAsync(CommandLine.From(result)),
            Config(),
            dryRun,
            includeToday);
        report.Validators.Add(result =>
        {
            if (result.GetValue(includeToday) && !result.GetValue(dryRun))
            {
                result.AddError("'tlsrpt report --include-today' needs --dry-run: today is not over");
            }
        });
        tlsrpt.Subcommands.Add(report);
        return tlsrpt;
    }

    private static Option<string> UnsealKeyFile() =>
        Value("--unseal-key-file", "FILE", "Unseal this process's vault with the unseal-key file (mode 0600); without it, M officer shares are read from standard input, one per line.");

    private static Command Ca()
    {
        var ca = new Command("ca", "The internal S/MIME certificate authority, its key sealed in the key vault.");
        ca.Options.Add(Config(recursive: true));
        ca.Subcommands.Add(Leaf(
            "init",
            "Create the CA (refused if one exists) and print its certificate.",
            CaAction,
            Value("--subject", "DN", "The CA's distinguished name (default \"CN=<hostname> S/MIME CA\")."),
            Value("--algorithm", "rsa3072|p256", "The CA key (default rsa3072)."),
            Value("--validity-days", "N", "How long the CA certificate is valid (default 3650)."),
            Value("--crl-url", "URL", "Base URL the CRL <ca-id>.crl is published under (default http://<hostname>:<admin port>/smime/crl/)."),
            UnsealKeyFile()));
        ca.Subcommands.Add(Leaf("crl", "Sign a new CRL (run daily) and print its path.", CaAction, UnsealKeyFile()));
        return ca;
    }

    private static Task<int> CaAction(ParseResult result) =>
        CaCommand.ExecuteAsync(CommandLine.From(result), CommandConsole.System, TimeProvider.System, CancellationToken.None);

    private static Command Keys()
    {
        var keys = new Command("keys", "The S/MIME key vault: escrowed keys and their certificates.");
        keys.Options.Add(Config(recursive: true));
        KeyVaultCommands.AddTo(keys);
        KeysCa(keys);
        return keys;
    }

    /// <summary>The `keys` verbs that use the internal CA.</summary>
    private static void KeysCa(Command keys)
    {
        keys.Subcommands.Add(Leaf(
            "issue",
            "Generate a key for a mailbox, escrow it and issue its S/MIME certificate from the internal CA.",
            result => KeysIssueCommand.ExecuteAsync(CommandLine.From(result), CommandConsole.System, TimeProvider.System, CancellationToken.None),
            new Argument<string>("ADDRESS") { Description = "The mailbox, user@domain." },
            Value("--algorithm", "rsa2048|rsa3072|p256", "The key (default rsa3072)."),
            UnsealKeyFile()));
        keys.Subcommands.Add(Leaf(
            "revoke",
            "Revoke a mailbox's CA certificate and publish a new CRL; the key stays in escrow.",
            result => KeysRevokeCommand.ExecuteAsync(CommandLine.From(result), CommandConsole.System, TimeProvider.System, CancellationToken.None),
            new Argument<string>("ADDRESS") { Description = "The mailbox, user@domain." },
            Value("--reason", "REASON", "keyCompromise, affiliationChanged, superseded, cessationOfOperation or unspecified (default)."),
            UnsealKeyFile()));
    }

    private static Command Spam()
    {
        var spam = new Command("spam", "The content classifier.");
        spam.Subcommands.Add(Leaf(
            "train",
            "Teach the classifier from a folder of wanted mail, a folder of spam, or both (one message per file); an existing model is extended.",
            result => SpamTrainCommand.ExecuteAsync(CommandLine.From(result)),
            Value("--ham", "DIR", "Messages that are not spam."),
            Value("--spam", "DIR", "Messages that are spam."),
            Value("--model", "FILE", $"The model file spam.model in the policy names (default {SpamTrainCommand.DefaultModel}).")));
        return spam;
    }

    private static Command Audit()
    {
        var audit = new Command("audit", "The key vault's tamper-evident audit log.");
        audit.Options.Add(Config(recursive: true));
        KeyVaultCommands.AddAuditTo(audit);
        return audit;
    }

    /// <summary>`gateway --version`: the same output as `gateway version`.</summary>
    private sealed class VersionAction : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult) => VersionCommand.Execute();
    }
}
