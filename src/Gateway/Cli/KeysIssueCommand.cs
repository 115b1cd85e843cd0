using System.Globalization;
using Gateway.Smime.Vault;

namespace Gateway.Host.Cli;

/// <summary>`gateway keys issue user@domain`: a new key escrowed in the vault with a certificate from the internal CA.</summary>
internal static class KeysIssueCommand
{
    public static async Task<int> ExecuteAsync(CommandLine command, CommandConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!VaultIdentity.TryParse(command.Arguments[0], out var identity, out var problem) || identity.Kind != VaultIdentityKind.User)
        {
            await console.Error.WriteLineAsync($"gateway: '{command.Arguments[0]}' is not a mailbox (user@domain){(problem.Length > 0 ? ": " + problem : "")}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        VaultKeyAlgorithm algorithm;
        switch (command.Option("--algorithm") ?? "rsa3072")
        {
            case "rsa2048":
                algorithm = VaultKeyAlgorithm.Rsa2048;
                break;
            case "rsa3072":
                algorithm = VaultKeyAlgorithm.Rsa3072;
                break;
            case "p256":
                algorithm = VaultKeyAlgorithm.EcP256;
                break;
            case var other:
                await console.Error.WriteLineAsync($"gateway: unknown --algorithm '{other}' (rsa2048, rsa3072 or p256)").ConfigureAwait(false);
                return ExitCodes.Usage;
        }

        return await CliCa.RunAsync(command, console, time, async (_, ca) =>
        {
            var issued = await ca.IssueAsync(identity, algorithm, CliVault.Actor, cancellationToken).ConfigureAwait(false);
            var entry = issued.Entry;
            await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""
                identity:     {entry.Identity}
                subject:      {entry.Subject}
                serial:       {issued.SerialNumber}
                sha-256:      {entry.Sha256Thumbprint}
                key:          {entry.KeyAlgorithm} (escrowed in the vault)
                valid:        {entry.NotBefore:u} .. {entry.NotAfter:u}
                crl:          {issued.CrlUrl}
                """)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, cancellationToken).ConfigureAwait(false);
    }
}
