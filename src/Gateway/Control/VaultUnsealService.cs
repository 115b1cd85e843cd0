using System.Security.Cryptography;
using Gateway.Smime.Escrow;
using Gateway.Smime.Vault;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Control;

/// <summary>
/// Unseals the gateway's key vault at start when an unseal-key file or token is configured. A failure is logged
/// and leaves the vault sealed: mail still flows, S/MIME waits for `gateway keys unseal`.
/// </summary>
internal sealed class VaultUnsealService(KeyVault vault, VaultHostOptions options, ILogger<VaultUnsealService> logger) : IHostedService
{
    public const string Actor = "gateway auto-unseal";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!vault.IsInitialized)
        {
            var directory = Path.GetDirectoryName(vault.Audit.Path)!;
            ControlLog.NoVault(logger, directory);
            return;
        }

        if (!options.AutoUnseal)
        {
            return;
        }

        try
        {
            if (options.UnsealKeyFile is { } keyFile)
            {
                await vault.UnsealWithKeyFileAsync(keyFile, Actor, cancellationToken).ConfigureAwait(false);
                ControlLog.Unsealed(logger, Actor, "unseal-key file");
            }
            else if (options.Token is { } token)
            {
                await vault.UnsealWithTokenAsync(token, Actor, cancellationToken).ConfigureAwait(false);
                ControlLog.Unsealed(logger, Actor, "PKCS#11 token");
            }
        }
        catch (Exception e) when (e is VaultException or ShareException or IOException or UnauthorizedAccessException or CryptographicException)
        {
            ControlLog.AutoUnsealFailed(logger, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
