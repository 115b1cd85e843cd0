using Gateway.Smime.Cms;

namespace Gateway.Pipeline.Steps.Smime;

/// <summary>
/// What the S/MIME steps use and the host owns: the escrowed keys (the vault, which may be sealed), where recipient
/// certificates are found and where valid signers' certificates are kept, and the verifier with the policy's trust
/// anchors. Built by the host with each policy snapshot; the vault itself outlives snapshots.
/// </summary>
public sealed record SmimeServices
{
    public required ISmimeKeySource Keys { get; init; }

    /// <summary>True while the vault is sealed: keys cannot be used, certificates can still be read.</summary>
    public required Func<bool> IsSealed { get; init; }

    /// <summary>The encryption certificate for a mail address (vault, harvested and imported store, directory), or null.</summary>
    public required Func<string, CancellationToken, ValueTask<SmimeRecipient?>> FindCertificate { get; init; }

    /// <summary>Keeps a valid signer's certificate for encrypting to that address later; null: nothing is kept.</summary>
    public Func<SmimeRecipient, CancellationToken, ValueTask>? Harvest { get; init; }

    /// <summary>Verifies inbound signed mail; null: no verification.</summary>
    public SmimeVerifier? Verifier { get; init; }

    public SmimeLimits Limits { get; init; } = SmimeLimits.Default;

    public required TimeProvider Time { get; init; }
}
