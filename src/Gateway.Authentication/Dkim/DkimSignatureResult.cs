namespace Gateway.Authentication.Dkim;

/// <summary>
/// The outcome of one DKIM-Signature header field (RFC 6376 6, reported as RFC 8601 2.7.1 results).
/// </summary>
/// <param name="Result">Only <see cref="DkimResult.Pass"/> may count for DMARC.</param>
/// <param name="Domain">The signing domain (d=), lower-cased; empty when the signature was too broken to tell.</param>
/// <param name="Selector">The selector (s=); empty when missing.</param>
/// <param name="Algorithm">The a= value as written ("rsa-sha256", "ed25519-sha256"...); empty when missing.</param>
/// <param name="Reason">Why the result is not a plain pass, or a note on a pass (l= body limit, testing key).
/// Safe for an Authentication-Results comment: no message content.</param>
/// <param name="HeaderB">The first characters of b= for the RFC 6008 header.b property; null when b= is missing.</param>
/// <param name="Identity">The agent or user identifier (i=), null when absent.</param>
public sealed record DkimSignatureResult(
    DkimResult Result,
    string Domain,
    string Selector,
    string Algorithm,
    string? Reason,
    string? HeaderB,
    string? Identity)
{
    /// <summary>The body length limit (l=) when the signature has one: content after it is not covered.</summary>
    public long? BodyLength { get; init; }
}
