using Gateway.Policy;
using Gateway.Smime.Ca;
using Gateway.Smime.Vault;

namespace Gateway.Host.Cli;

/// <summary>
/// The frame every command that uses the internal CA's key shares: load the policy, unseal this process's vault,
/// run the command's work against the CA (CRLs in <see cref="VaultPaths.CrlDirectory"/>, where the admin endpoint
/// serves them), turn the vault's refusals into `gateway: ...` and exit 1, and seal again.
/// </summary>
internal static class CliCa
{
    public static async Task<int> RunAsync(CommandLine command, CommandConsole console, TimeProvider time, Func<GatewayPolicy, CertificateAuthority, Task<int>> work, CancellationToken cancellationToken)
    {
        if (await CliPolicy.LoadAsync(command).ConfigureAwait(false) is not { } policy)
        {
            return ExitCodes.Failure;
        }

        if (await CaCliVault.OpenUnsealedAsync(policy, command, console, time, cancellationToken).ConfigureAwait(false) is not { } vault)
        {
            return ExitCodes.Failure;
        }

        try
        {
            using var ca = new CertificateAuthority(vault, time, new CertificateAuthorityOptions { CrlDirectory = VaultPaths.CrlDirectory(policy) });
            return await work(policy, ca).ConfigureAwait(false);
        }
        catch (VaultException e)
        {
            await console.Error.WriteLineAsync($"gateway: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        finally
        {
            await CaCliVault.CloseAsync(vault, cancellationToken).ConfigureAwait(false);
        }
    }
}
