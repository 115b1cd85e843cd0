using System.Globalization;
using Gateway.Host.Control;
using Gateway.Host.Spool;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway keys status`: the vault as its directory shows it (id, officers, sealers, keys) and, from the running
/// gateway over the control socket, whether it is sealed; with no gateway running it says so.
/// </summary>
internal static class KeysStatusCommand
{
    public static Task<int> ExecuteAsync(CommandLine command) => CliVault.RunAsync(command, async (policy, vault, cancellationToken) =>
    {
        var output = Console.Out;
        var directory = Path.GetDirectoryName(vault.Audit.Path)!;
        var status = await vault.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        using var client = new ControlClient(SpoolPaths.ControlSocket(policy));
        var running = await client.StatusAsync(cancellationToken).ConfigureAwait(false);
        if (!status.IsInitialized)
        {
            await output.WriteLineAsync($"no key vault in {directory} (gateway keys init creates one)").ConfigureAwait(false);
            await output.WriteLineAsync(running is null ? $"gateway:   not running" : "gateway:   running, S/MIME keys unavailable").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var keys = (await vault.ListAsync(cancellationToken).ConfigureAwait(false)).Count;
        var state = running is null ? "sealed (the gateway is not running)" : running.Sealed ? "sealed" : "unsealed";
        await output.WriteLineAsync($"vault:     {status.VaultId}").ConfigureAwait(false);
        await output.WriteLineAsync($"state:     {state}").ConfigureAwait(false);
        await output.WriteLineAsync($"directory: {directory}").ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"officers:  any {status.Threshold} of {status.ShareCount} shares unseal")).ConfigureAwait(false);
        await output.WriteLineAsync($"sealers:   {string.Join(", ", status.Sealers)}").ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"keys:      {keys}")).ConfigureAwait(false);
        return ExitCodes.Ok;
    });
}
