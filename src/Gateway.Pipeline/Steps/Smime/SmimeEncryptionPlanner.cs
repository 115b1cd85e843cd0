using Gateway.Abstractions;
using Gateway.Policy;
using Gateway.Smime.Cms;

namespace Gateway.Pipeline.Steps.Smime;

/// <summary>What happens to mail for one outbound recipient under the encryption policy.</summary>
public enum SmimeRecipientPlan
{
    /// <summary>Sent as it is: the domain's mode is never, or when_known without a certificate.</summary>
    Plain,

    /// <summary>Encrypted to the recipient's certificate.</summary>
    Encrypt,

    /// <summary>Encryption is required and no certificate is known: refused, never sent in plaintext.</summary>
    Refuse,
}

/// <summary>
/// Decides per outbound recipient whether mail is encrypted, from the recipient domain's mode and whether a
/// certificate is known. Asked three times over one message, all answered from the same lookups (the directory
/// caches): at RCPT (a required recipient without a certificate is refused there, so the sender's own server
/// returns the failure notice and nothing goes in plaintext), when the message starts (recipients to encrypt and
/// recipients to send plain become separate queued parts) and in the encryption step.
/// </summary>
public sealed class SmimeEncryptionPlanner(SmimeEncryptPolicy policy, SmimeServices services)
{
    /// <summary>True when no domain is ever encrypted to: the planner need not be asked.</summary>
    public bool EncryptsNothing { get; } =
        policy.Default == SmimeEncryptMode.Never && policy.Domains.Values.All(m => m == SmimeEncryptMode.Never);

    public async ValueTask<(SmimeRecipientPlan Plan, SmimeRecipient? Certificate)> PlanAsync(Mailbox recipient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var mode = policy.ModeFor(recipient.Domain);
        if (mode == SmimeEncryptMode.Never)
        {
            return (SmimeRecipientPlan.Plain, null);
        }

        var certificate = await services.FindCertificate(recipient.ToString(), cancellationToken).ConfigureAwait(false);
        if (certificate is not null)
        {
            return (SmimeRecipientPlan.Encrypt, certificate);
        }

        return (mode == SmimeEncryptMode.Required ? SmimeRecipientPlan.Refuse : SmimeRecipientPlan.Plain, null);
    }
}
