using Gateway.Host.Control;
using Gateway.Host.Spool;

namespace Gateway.Host.Cli;

/// <summary>`gateway keys seal`: the running gateway forgets its master key; S/MIME keys are unusable until the next unseal.</summary>
internal static class KeysSealCommand
{
    public static async Task<int> ExecuteAsync(CommandLine command)
    {
        if (await CliPolicy.LoadAsync(command).ConfigureAwait(false) is not { } policy)
        {
            return ExitCodes.Failure;
        }

        var cancellationToken = CancellationToken.None;
        using var client = new ControlClient(SpoolPaths.ControlSocket(policy));
        if (await client.StatusAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            return await CliVault.FailAsync(KeysUnsealCommand.NotRunning(client)).ConfigureAwait(false);
        }

        var result = await client.SealAsync(cancellationToken).ConfigureAwait(false);
        if (result.Status is not { } after)
        {
            return await CliVault.FailAsync($"seal refused: {result.Error}").ConfigureAwait(false);
        }

        await Console.Out.WriteLineAsync($"key vault {after.VaultId ?? "(none)"} sealed in the running gateway").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
