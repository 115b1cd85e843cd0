namespace Gateway.Host.Cli;

/// <summary>
/// `gateway keys recover user@domain --out FILE.p12`: hands an escrowed key out as PKCS#12. Always needs the
/// threshold of officer shares on standard input, even while the gateway runs unsealed, and the export password
/// from `--password-file` or the line after the shares. The file is created new with mode 0600.
/// </summary>
internal static class KeysRecoverCommand
{
    public static Task<int> ExecuteAsync(CommandLine command) => CliVault.RunAsync(command, async (_, vault, cancellationToken) =>
    {
        if (CliVault.Identity(command.Arguments[0]) is not { } identity)
        {
            return ExitCodes.Usage;
        }

        var path = command.Option("--out")!;
        if (File.Exists(path))
        {
            return await CliVault.FailAsync($"'{path}' exists; recovery never overwrites a file").ConfigureAwait(false);
        }

        var status = await vault.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        if (!status.IsInitialized)
        {
            return await CliVault.FailAsync("there is no key vault yet (gateway keys init creates one)").ConfigureAwait(false);
        }

        var shares = await UnsealInputs.ReadSharesAsync(status.Threshold, cancellationToken).ConfigureAwait(false);
        var password = await PasswordInput.ReadAsync(command, "export password: ", cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(password))
        {
            return await CliVault.FailAsync("no export password (give --password-file, or a line after the shares)").ConfigureAwait(false);
        }

        var pkcs12 = await vault.RecoverAsync(identity, shares, password, CliVault.Actor, cancellationToken).ConfigureAwait(false);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var file = new FileStream(path, options))
        {
            await file.WriteAsync(pkcs12, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        Array.Clear(pkcs12);
        await Console.Out.WriteLineAsync($"the key of {identity} is in {path} (PKCS#12, mode 0600); the recovery is in the audit log").ConfigureAwait(false);
        return ExitCodes.Ok;
    });
}
