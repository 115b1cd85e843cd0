namespace Gateway.Transport.MtaSts;

/// <summary>
/// What is known about a destination's MTA-STS policy at delivery time: the policy in force (fresh or from the
/// cache), or none; and when discovery or a fetch failed, the TLS-RPT result type (RFC 8460 4.3,
/// "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid") with a detail for logs.
/// </summary>
public sealed record MtaStsLookup(MtaStsPolicy? Policy, string? PolicyId, string? FailureResultType = null, string? FailureDetail = null)
{
    public static MtaStsLookup NoPolicy { get; } = new(null, null);
}
