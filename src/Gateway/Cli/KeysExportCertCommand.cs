using System.Text;

namespace Gateway.Host.Cli;

/// <summary>`gateway keys export-cert user@domain [--out FILE]`: the certificate chain, leaf first, as PEM; works while sealed.</summary>
internal static class KeysExportCertCommand
{
    public static Task<int> ExecuteAsync(CommandLine command) => CliVault.RunAsync(command, async (_, vault, cancellationToken) =>
    {
        if (CliVault.Identity(command.Arguments[0]) is not { } identity)
        {
            return ExitCodes.Usage;
        }

        var chain = await vault.FindCertificateChainAsync(identity, cancellationToken).ConfigureAwait(false);
        if (chain is null)
        {
            return await CliVault.FailAsync($"the vault holds no key for {identity}").ConfigureAwait(false);
        }

        var pem = new StringBuilder();
        foreach (var certificate in chain)
        {
            using (certificate)
            {
                pem.Append(certificate.ExportCertificatePem()).Append('\n');
            }
        }

        if (command.Option("--out") is { } path)
        {
            // Certificates are public: an ordinary file, but never over one that exists.
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            await file.WriteAsync(Encoding.ASCII.GetBytes(pem.ToString()), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Console.Out.WriteAsync(pem.ToString()).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    });
}
