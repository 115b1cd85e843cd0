namespace Gateway.Host.Cli;

/// <summary>
/// `gateway keys import user@domain FILE.p12`: escrows an existing key and its chain. Unseals a vault of its own in
/// this process (shares on standard input, or a key file or token), then reads the PKCS#12 password from
/// `--password-file` or the next line of standard input.
/// </summary>
internal static class KeysImportCommand
{
    // A PKCS#12 file with a key and a chain is a few KiB; this bounds what an odd file can make us load.
    private const long MaxFileBytes = 1024 * 1024;

    public static Task<int> ExecuteAsync(CommandLine command) => CliVault.RunAsync(command, async (_, vault, cancellationToken) =>
    {
        if (CliVault.Identity(command.Arguments[0]) is not { } identity)
        {
            return ExitCodes.Usage;
        }

        if (!UnsealInputs.TryRead(command, out var inputs, out var error))
        {
            return await CliVault.FailAsync(error, ExitCodes.Usage).ConfigureAwait(false);
        }

        var file = command.Arguments[1];
        if (new FileInfo(file).Length > MaxFileBytes)
        {
            return await CliVault.FailAsync($"'{file}' is larger than a PKCS#12 file with one key ({MaxFileBytes} bytes)").ConfigureAwait(false);
        }

        var pkcs12 = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
        await inputs.UnsealAsync(vault, CliVault.Actor, cancellationToken).ConfigureAwait(false);
        var password = await PasswordInput.ReadAsync(command, "PKCS#12 password: ", cancellationToken).ConfigureAwait(false);
        var entry = await vault.ImportAsync(identity, pkcs12, password, CliVault.Actor, cancellationToken).ConfigureAwait(false);
        await KeysListCommand.PrintAsync(Console.Out, [await KeysListCommand.RowAsync(vault, entry, cancellationToken).ConfigureAwait(false)]).ConfigureAwait(false);
        return ExitCodes.Ok;
    });
}
