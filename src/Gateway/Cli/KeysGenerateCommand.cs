using Gateway.Smime.Vault;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway keys generate user@domain|domain [--algorithm rsa2048|rsa3072|p256]`: a new key pair with a self-signed
/// S/MIME certificate, escrowed at once. Unseals a vault of its own in this process, as import does.
/// </summary>
internal static class KeysGenerateCommand
{
    public static Task<int> ExecuteAsync(CommandLine command) => CliVault.RunAsync(command, async (_, vault, cancellationToken) =>
    {
        if (CliVault.Identity(command.Arguments[0]) is not { } identity)
        {
            return ExitCodes.Usage;
        }

        VaultKeyAlgorithm? algorithm = (command.Option("--algorithm") ?? "rsa2048") switch
        {
            "rsa2048" => VaultKeyAlgorithm.Rsa2048,
            "rsa3072" => VaultKeyAlgorithm.Rsa3072,
            "p256" => VaultKeyAlgorithm.EcP256,
            _ => null,
        };
        if (algorithm is null)
        {
            return await CliVault.FailAsync("--algorithm is one of rsa2048, rsa3072, p256", ExitCodes.Usage).ConfigureAwait(false);
        }

        if (!UnsealInputs.TryRead(command, out var inputs, out var error))
        {
            return await CliVault.FailAsync(error, ExitCodes.Usage).ConfigureAwait(false);
        }

        await inputs.UnsealAsync(vault, CliVault.Actor, cancellationToken).ConfigureAwait(false);
        var entry = await vault.GenerateAsync(identity, algorithm.Value, CliVault.Actor, cancellationToken).ConfigureAwait(false);
        await KeysListCommand.PrintAsync(Console.Out, [await KeysListCommand.RowAsync(vault, entry, cancellationToken).ConfigureAwait(false)]).ConfigureAwait(false);
        return ExitCodes.Ok;
    });
}
