using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Gateway.Smime.Vault;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway keys revoke user@domain [--reason R]`: revokes the CA certificate of a mailbox's escrowed key and
/// publishes a new CRL. The key stays in escrow, so mail already encrypted to it can still be decrypted.
/// </summary>
internal static class KeysRevokeCommand
{
    /// <summary>The RFC 5280 5.3.1 reasons an operator gives for a mailbox certificate, by their ASN.1 names.</summary>
    private static readonly Dictionary<string, X509RevocationReason> Reasons = new(StringComparer.Ordinal)
    {
        ["unspecified"] = X509RevocationReason.Unspecified,
        ["keyCompromise"] = X509RevocationReason.KeyCompromise,
        ["affiliationChanged"] = X509RevocationReason.AffiliationChanged,
        ["superseded"] = X509RevocationReason.Superseded,
        ["cessationOfOperation"] = X509RevocationReason.CessationOfOperation,
    };

    public static async Task<int> ExecuteAsync(CommandLine command, CommandConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!VaultIdentity.TryParse(command.Arguments[0], out var identity, out var problem))
        {
            await console.Error.WriteLineAsync($"gateway: '{command.Arguments[0]}': {problem}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var reasonName = command.Option("--reason") ?? "unspecified";
        if (!Reasons.TryGetValue(reasonName, out var reason))
        {
            await console.Error.WriteLineAsync($"gateway: unknown --reason '{reasonName}' ({string.Join(", ", Reasons.Keys)})").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await CliCa.RunAsync(command, console, time, async (_, ca) =>
        {
            var revocation = await ca.RevokeAsync(identity, reason, CliVault.Actor, cancellationToken).ConfigureAwait(false);
            var info = await ca.GetInfoAsync(cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"revoked {revocation.Identity} serial {revocation.SerialNumber} ({reasonName}) at {revocation.RevokedAt:u}; the key stays in escrow\nnew CRL: {ca.CrlPath(info!.CaId)}")).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, cancellationToken).ConfigureAwait(false);
    }
}
