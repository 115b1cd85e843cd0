using System.Globalization;
using System.Security.Cryptography;
using Gateway.Host.Control;
using Gateway.Policy;
using Gateway.Smime.Audit;
using Gateway.Smime.Escrow;
using Gateway.Smime.Vault;

namespace Gateway.Host.Cli;

/// <summary>
/// The key vault as the `keys` and `audit` commands open it: the policy's vault directory, this user as the audit
/// actor, and vault refusals printed as "gateway: …" with exit 1. A vault this process unsealed is sealed again
/// (and audited as such) before the command ends.
/// </summary>
internal static class CliVault
{
    /// <summary>The audit log's actor for the commands: the user at the terminal, by name and uid.</summary>
    public static string Actor { get; } = PeerCredentials.OwnUid() is { } uid
        ? string.Create(CultureInfo.InvariantCulture, $"cli {Environment.UserName} uid {uid}")
        : $"cli {Environment.UserName}";

    public static async Task<int> RunAsync(CommandLine command, Func<GatewayPolicy, KeyVault, CancellationToken, Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(action);
        if (await CliPolicy.LoadAsync(command).ConfigureAwait(false) is not { } policy)
        {
            return ExitCodes.Failure;
        }

        var cancellationToken = CancellationToken.None;
        using var vault = new KeyVault(VaultPaths.VaultDirectory(policy), TimeProvider.System);
        try
        {
            return await action(policy, vault, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is VaultException or ShareException or AuditLogException or IOException or UnauthorizedAccessException or CryptographicException)
        {
            // These name what is wrong (a share's index or set, a file) and never a secret.
            return await FailAsync(e.Message).ConfigureAwait(false);
        }
        finally
        {
            if (!vault.IsSealed)
            {
                await vault.SealAsync(Actor, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static async Task<int> FailAsync(string message, int exitCode = ExitCodes.Failure)
    {
        await Console.Error.WriteLineAsync($"gateway: {message}").ConfigureAwait(false);
        return exitCode;
    }

    /// <summary>The identity argument (user@domain or domain), or null after a usage error.</summary>
    public static VaultIdentity? Identity(string text)
    {
        if (VaultIdentity.TryParse(text, out var identity, out var problem))
        {
            return identity;
        }

        Console.Error.WriteLine($"gateway: '{text}': {problem}");
        return null;
    }
}
