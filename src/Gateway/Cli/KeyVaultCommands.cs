using System.CommandLine;

namespace Gateway.Host.Cli;

/// <summary>The key-vault verbs of `gateway keys` and `gateway audit`: their arguments, options and help text.</summary>
internal static class KeyVaultCommands
{
    private const string UnsealPurpose = "instead of officer shares on standard input";

    public static void AddTo(Command keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        keys.Subcommands.Add(GatewayCommands.Leaf(
            "init",
            "Create the key vault and print the officer shares, once; optionally add an unseal-key file and a PKCS#11 token as further sealers.",
            On(KeysInitCommand.ExecuteAsync),
            [
                GatewayCommands.Value("--shares", "N", "How many officer shares (2-255).", required: true),
                GatewayCommands.Value("--threshold", "M", "How many shares unseal (2-N).", required: true),
                .. UnsealInputs.Options("a further sealer, created new"),
            ]));
        keys.Subcommands.Add(GatewayCommands.Leaf(
            "unseal",
            "Unseal the running gateway's vault: officer shares on standard input (one per line), or an unseal-key file or token.",
            On(KeysUnsealCommand.ExecuteAsync),
            UnsealInputs.Options(UnsealPurpose)));
        keys.Subcommands.Add(GatewayCommands.Leaf("seal", "Seal the running gateway's vault: its S/MIME keys are unusable until the next unseal.", On(KeysSealCommand.ExecuteAsync)));
        keys.Subcommands.Add(GatewayCommands.Leaf("status", "The vault: sealed or unsealed in the running gateway, id, officers, sealers, key count.", On(KeysStatusCommand.ExecuteAsync)));
        keys.Subcommands.Add(GatewayCommands.Leaf(
            "import",
            "Escrow a key and its certificate chain from a PKCS#12 file (unseals with shares on standard input; the password follows them).",
            On(KeysImportCommand.ExecuteAsync),
            [Identity(users: true), new Argument<string>("FILE") { Description = "The PKCS#12 file." }, PasswordFile("The PKCS#12 password"), .. UnsealInputs.Options(UnsealPurpose)]));
        keys.Subcommands.Add(GatewayCommands.Leaf(
            "generate",
            "Generate a key with a self-signed S/MIME certificate and escrow it (unseals with shares on standard input).",
            On(KeysGenerateCommand.ExecuteAsync),
            [Identity(users: false), GatewayCommands.Value("--algorithm", "rsa2048|rsa3072|p256", "Key type (default rsa2048)."), .. UnsealInputs.Options(UnsealPurpose)]));
        keys.Subcommands.Add(GatewayCommands.Leaf(
            "list",
            "List the escrowed keys: identity, kind, algorithm, expiry, serial, SHA-256 fingerprint, subject (works sealed).",
            On(KeysListCommand.ExecuteAsync),
            new Option<bool>("--json") { Description = "As a JSON array." }));
        keys.Subcommands.Add(GatewayCommands.Leaf(
            "export-cert",
            "Print a key's certificate chain, leaf first, as PEM (works sealed).",
            On(KeysExportCertCommand.ExecuteAsync),
            Identity(users: false),
            GatewayCommands.Value("--out", "FILE", "Write to a new file instead of standard output.")));
        keys.Subcommands.Add(GatewayCommands.Leaf(
            "recover",
            "Hand an escrowed key out as PKCS#12: needs the officer shares on standard input even while unsealed; the export password follows them.",
            On(KeysRecoverCommand.ExecuteAsync),
            Identity(users: false),
            GatewayCommands.Value("--out", "FILE", "The PKCS#12 file to create (mode 0600, never overwritten).", required: true),
            PasswordFile("The export password")));
    }

    public static void AddAuditTo(Command audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        audit.Subcommands.Add(GatewayCommands.Leaf(
            "verify",
            "Check the key vault's hash-chained audit log: entry count and head hash, or the first broken line (exit 1).",
            On(AuditVerifyCommand.ExecuteAsync)));
    }

    private static Func<System.CommandLine.ParseResult, Task<int>> On(Func<CommandLine, Task<int>> execute) =>
        result => execute(CommandLine.From(result));

    private static Argument<string> Identity(bool users) => new("IDENTITY")
    {
        Description = users ? "The user (user@domain) whose key it is." : "user@domain, or a domain for the domain's key.",
    };

    private static Option<string> PasswordFile(string what) =>
        GatewayCommands.Value(PasswordInput.Option, "FILE", $"{what} from this file instead of standard input (never on the command line).");
}
