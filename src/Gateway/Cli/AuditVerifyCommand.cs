using System.Globalization;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway audit verify`: checks the key vault's hash-chained audit log and prints the entry count and head hash
/// (to keep outside the machine), or the first line that breaks the chain, with exit 1.
/// </summary>
internal static class AuditVerifyCommand
{
    public static Task<int> ExecuteAsync(CommandLine command) => CliVault.RunAsync(command, async (_, vault, cancellationToken) =>
    {
        var result = await vault.Audit.VerifyAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsIntact)
        {
            await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"audit log {vault.Audit.Path}: intact, {result.EntryCount} entries, head {result.HeadHash}")).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"audit log {vault.Audit.Path}: BROKEN at {result.Problem}")).ConfigureAwait(false);
        await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"the {result.EntryCount} entries before line {result.FirstBrokenLine} are intact, ending at head {result.HeadHash}")).ConfigureAwait(false);
        return ExitCodes.Failure;
    });
}
