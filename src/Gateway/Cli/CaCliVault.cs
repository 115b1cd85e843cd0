using Gateway.Policy;
using Gateway.Smime.Escrow;
using Gateway.Smime.Vault;

namespace Gateway.Host.Cli;

/// <summary>
/// The key vault as a CLI command uses it: its own in-process instance over the policy's vault directory,
/// unsealed for the length of the command with an unseal-key file (--unseal-key-file) or with M officer shares
/// read from standard input, one per line, and sealed again before the command ends. A running gateway's
/// unsealed vault is another process's memory and is never reached from here.
/// </summary>
internal static class CaCliVault
{
    /// <summary>An unsealed vault, or null after writing why not to standard error.</summary>
    public static async Task<KeyVault?> OpenUnsealedAsync(GatewayPolicy policy, CommandLine command, CommandConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        var directory = VaultPaths.VaultDirectory(policy);
        var vault = new KeyVault(directory, time);
        try
        {
            var status = await vault.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            if (!status.IsInitialized)
            {
                await console.Error.WriteLineAsync($"gateway: there is no key vault in {directory} (`gateway keys init` creates it)").ConfigureAwait(false);
                vault.Dispose();
                return null;
            }

            if (command.Option("--unseal-key-file") is { } keyFile)
            {
                await vault.UnsealWithKeyFileAsync(Path.GetFullPath(keyFile), CliVault.Actor, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await console.Error.WriteLineAsync($"gateway: the vault is sealed; enter {status.Threshold} officer shares, one per line").ConfigureAwait(false);
                await vault.UnsealWithSharesAsync(await ReadSharesAsync(console.In, status.Threshold, cancellationToken).ConfigureAwait(false), CliVault.Actor, cancellationToken).ConfigureAwait(false);
            }

            return vault;
        }
        catch (Exception e) when (e is VaultException or ShareException or IOException or UnauthorizedAccessException)
        {
            // The vault's messages never carry key material; the unseal attempt is already in the audit log.
            await console.Error.WriteLineAsync($"gateway: cannot unseal the key vault: {e.Message}").ConfigureAwait(false);
            vault.Dispose();
            return null;
        }
    }

    /// <summary>Seals (audited) and disposes a vault <see cref="OpenUnsealedAsync"/> returned.</summary>
    public static async Task CloseAsync(KeyVault vault, CancellationToken cancellationToken)
    {
        try
        {
            await vault.SealAsync(CliVault.Actor, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            vault.Dispose();
        }
    }

    /// <summary>Up to <paramref name="threshold"/> non-empty lines, or fewer at the end of input (the vault names what is missing).</summary>
    private static async Task<IReadOnlyList<string>> ReadSharesAsync(TextReader input, int threshold, CancellationToken cancellationToken)
    {
        var shares = new List<string>();
        while (shares.Count < threshold && await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Trim() is { Length: > 0 } share)
            {
                shares.Add(share);
            }
        }

        return shares;
    }
}
