using System.Globalization;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway keys init --shares N --threshold M`: creates the vault and prints the N officer shares, the only time
/// they exist outside the officers' hands; optionally adds an unseal-key file and a PKCS#11 token as further sealers.
/// </summary>
internal static class KeysInitCommand
{
    public static Task<int> ExecuteAsync(CommandLine command) => CliVault.RunAsync(command, async (_, vault, cancellationToken) =>
    {
        if (!int.TryParse(command.Option("--shares"), NumberStyles.None, CultureInfo.InvariantCulture, out var shareCount)
            || !int.TryParse(command.Option("--threshold"), NumberStyles.None, CultureInfo.InvariantCulture, out var threshold)
            || threshold < 2 || threshold > shareCount || shareCount > 255)
        {
            return await CliVault.FailAsync("--shares N and --threshold M need 2 <= M <= N <= 255", ExitCodes.Usage).ConfigureAwait(false);
        }

        if (!UnsealInputs.TryRead(command, out var sealers, out var error))
        {
            return await CliVault.FailAsync(error, ExitCodes.Usage).ConfigureAwait(false);
        }

        if (vault.IsInitialized)
        {
            return await CliVault.FailAsync($"a key vault already exists in {Path.GetDirectoryName(vault.Audit.Path)}; it is never initialised twice").ConfigureAwait(false);
        }

        using (var created = await vault.InitializeAsync(shareCount, threshold, CliVault.Actor, cancellationToken).ConfigureAwait(false))
        {
            // The shares are printed before anything else can fail: without them the vault could never be opened.
            var output = Console.Out;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Key vault {created.VaultId} created: {shareCount} officer shares, any {threshold} of which unseal it.")).ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync("Give each share to a different officer, and keep each apart from the others.").ConfigureAwait(false);
            await output.WriteLineAsync("They are shown this once and stored nowhere: nobody, not this gateway either, can show them again.").ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"With fewer than {threshold} of them the escrowed keys can be neither unsealed nor recovered.")).ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
            foreach (var share in created.Shares)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"officer {share.Index}: {share.Encode()}")).ConfigureAwait(false);
            }

            await output.WriteLineAsync().ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (sealers.KeyFile is { } keyFile)
        {
            await vault.AddKeyFileSealerAsync(keyFile, CliVault.Actor, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"Unseal-key file written to {keyFile} (mode 0600): whoever reads it and the vault has every key; keep it off backups of the vault.").ConfigureAwait(false);
        }

        if (sealers.Token is { } token)
        {
            await vault.AddTokenSealerAsync(token, CliVault.Actor, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"Sealed to {token}.").ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    });
}
