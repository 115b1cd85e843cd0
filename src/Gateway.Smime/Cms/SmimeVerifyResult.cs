using Gateway.Smime.Revocation;
using MimeKit;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Cms;

public enum SmimeVerifyStatus
{
    /// <summary>Every signer's signature is good, chains to an anchor, is for email and names the From address.</summary>
    Valid,

    /// <summary>The signature does not match the content (altered in transit, or forged).</summary>
    BadSignature,

    /// <summary>The signature matches, but a signer's certificate fails chain (revocation included), EKU, From address or signing-time checks.</summary>
    Untrusted,

    NotSigned,

    /// <summary>Truncated or malformed CMS or MIME.</summary>
    Malformed,

    TooLarge,

    NestingTooDeep,
}

public enum SmimeChainStatus
{
    Trusted,
    Untrusted,
    Expired,
    Invalid,

    /// <summary>The chain is good, but a certificate in it is on its issuer's CRL.</summary>
    Revoked,

    /// <summary>The chain is good, but its revocation status could not be established and policy requires it.</summary>
    RevocationUnknown,
}

/// <summary>
/// One signer's verdict; the details let the header say why, and logs say more. <see cref="Revocation"/> is
/// reported even when it does not affect validity (an unknown status under a policy that does not require it).
/// </summary>
public sealed record SmimeSignerResult(
    X509Certificate Certificate,
    bool SignatureValid,
    SmimeChainStatus ChainStatus,
    string? ChainDetail,
    bool EmailProtection,
    bool MatchesFrom,
    DateTimeOffset? SigningTime,
    bool SigningTimeValid,
    RecipientCapabilities Capabilities,
    RevocationStatus Revocation = RevocationStatus.NotChecked,
    string? RevocationDetail = null)
{
    public bool IsValid => SignatureValid && ChainStatus == SmimeChainStatus.Trusted && EmailProtection && MatchesFrom && SigningTimeValid;
}

/// <summary>
/// The outcome of verification. <see cref="SignedPartPath"/> names the entity the signature covers, as 1-based
/// child indices from the message body ("" is the body itself, "2.1" the first child of the body's second
/// child); when <see cref="CoversWholeBody"/> is false, anything outside that part is unsigned and whatever
/// header reports the result must say so (signature wrapping). <see cref="SignedContent"/> is the covered
/// entity (for opaque signatures, the unwrapped content). <see cref="Harvested"/> holds the certificates of
/// valid signers with what they advertise, ready to encrypt to.
/// </summary>
public sealed record SmimeVerifyResult(
    SmimeVerifyStatus Status,
    SmimeSignatureForm? Form = null,
    string? SignedPartPath = null,
    MimeEntity? SignedContent = null,
    IReadOnlyList<SmimeSignerResult>? Signers = null,
    IReadOnlyList<SmimeRecipient>? Harvested = null,
    string? Detail = null)
{
    public bool CoversWholeBody => SignedPartPath == "";

    public IReadOnlyList<SmimeSignerResult> SignerResults => Signers ?? [];

    public IReadOnlyList<SmimeRecipient> HarvestedCertificates => Harvested ?? [];
}
