using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Channels;
using Gateway.Policy;
using Gateway.Smime.Audit;
using Gateway.Smime.Vault;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Control;

/// <summary>
/// Puts the policy the gateway starts with, and every policy it applies later, into the key vault's audit chain:
/// the policy decides whose mail is signed with which escrowed key and who gets plaintext, so a change to it is as
/// much a key-use decision as an unseal. Each entry names the policy files with the SHA-256 of their contents, so an
/// auditor can match it to the administrator's own copies. Appends run here, off the reload path, one at a time in
/// the order the policies were applied; without an initialised vault there is no chain and nothing is recorded.
/// </summary>
internal sealed class PolicyAuditTrail(KeyVault vault, ILogger<PolicyAuditTrail> logger) : BackgroundService
{
    public const string Actor = "gateway policy";

    // The log holds 16 details per entry; one goes to the S/MIME switch.
    private const int MaxFiles = 15;

    private readonly Channel<(string Action, GatewayPolicy Policy)> _pending =
        Channel.CreateUnbounded<(string, GatewayPolicy)>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues an entry for a policy in force from now (<see cref="AuditActions.PolicyLoad"/> or <see cref="AuditActions.PolicyChange"/>).</summary>
    public void Record(string action, GatewayPolicy policy) => _pending.Writer.TryWrite((action, policy));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (action, policy) in _pending.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            if (!vault.IsInitialized)
            {
                continue;
            }

            try
            {
                var details = await DetailsAsync(policy, stoppingToken).ConfigureAwait(false);
                await vault.Audit.AppendAsync(new AuditRecord(Actor, action, policy.HostName, details), stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or AuditLogException)
            {
                ControlLog.PolicyAuditFailed(logger, action, e.Message);
            }
        }
    }

    private static async Task<Dictionary<string, string>> DetailsAsync(GatewayPolicy policy, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["smime"] = policy.Smime.Enabled ? "enabled" : "disabled",
        };
        var number = 0;
        foreach (var file in policy.SourceFiles.Take(MaxFiles))
        {
            number++;
            string digest;
            try
            {
                digest = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                digest = "unreadable";
            }

            details["file" + number.ToString(CultureInfo.InvariantCulture)] = Truncate(file, 950) + " sha256=" + digest;
        }

        return details;
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : "…" + value[^(length - 1)..];
}
