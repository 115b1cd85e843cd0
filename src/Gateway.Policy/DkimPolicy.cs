namespace Gateway.Policy;

/// <summary>DKIM (authentication.dkim:): verification of inbound signatures and signing of outbound mail (RFC 6376).</summary>
public sealed record DkimPolicy
{
    public bool Verify { get; init; } = true;

    /// <summary>
    /// Signatures verified per message; further ones are not checked. Bounds the DNS and CPU work a message
    /// can cause (RFC 6376 6.1: verifiers may limit the signatures they try).
    /// </summary>
    public int MaxSignatures { get; init; } = 10;

    /// <summary>
    /// Whether a signature whose l= leaves part of the body unsigned may pass (and count for DMARC). Off: such a
    /// signature is reported as policy, since anything can be appended after the signed part (RFC 6376 8.2).
    /// </summary>
    public bool AllowUnsignedContent { get; init; }

    /// <summary>Outbound signing keys, in file order; several for one domain means one signature each (dual signing).</summary>
    public IReadOnlyList<DkimSigningKeyPolicy> Sign { get; init; } = [];
}
