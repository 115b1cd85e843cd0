using System.Globalization;
using Gateway.Host.Control;
using Gateway.Host.Spool;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway keys unseal`: unseals the running gateway's vault over the control socket, with officer shares read
/// from standard input, an unseal-key file or a token; with no shares at all, the gateway's own configured sealer.
/// </summary>
internal static class KeysUnsealCommand
{
    public static async Task<int> ExecuteAsync(CommandLine command)
    {
        if (!UnsealInputs.TryRead(command, out var inputs, out var error))
        {
            return await CliVault.FailAsync(error, ExitCodes.Usage).ConfigureAwait(false);
        }

        if (await CliPolicy.LoadAsync(command).ConfigureAwait(false) is not { } policy)
        {
            return ExitCodes.Failure;
        }

        var cancellationToken = CancellationToken.None;
        using var client = new ControlClient(SpoolPaths.ControlSocket(policy));
        var status = await client.StatusAsync(cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            return await CliVault.FailAsync(NotRunning(client)).ConfigureAwait(false);
        }

        if (!status.Initialized)
        {
            return await CliVault.FailAsync("there is no key vault yet (gateway keys init creates one)").ConfigureAwait(false);
        }

        if (!status.Sealed)
        {
            await Console.Out.WriteLineAsync($"key vault {status.VaultId} is already unsealed").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var result = await client.UnsealAsync(await inputs.ToRequestAsync(status.Threshold, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (result.Status is not { } after)
        {
            return await CliVault.FailAsync($"unseal refused: {result.Error}").ConfigureAwait(false);
        }

        await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"key vault {after.VaultId} unsealed in the running gateway ({after.Keys} keys)")).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>What the control commands say when nothing answers on the socket.</summary>
    public static string NotRunning(ControlClient client) => $"the gateway is not running (nothing answers on {client.SocketPath})";
}
