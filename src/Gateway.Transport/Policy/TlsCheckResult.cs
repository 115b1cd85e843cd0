namespace Gateway.Transport.Policy;

/// <summary>
/// What <see cref="CertificatePolicyCheck"/> decided. A refusal carries an admin-readable reason naming the policy
/// and the TLS-RPT result type (RFC 8460 4.3). <see cref="ReportOnly"/>: the check failed under an MTA-STS policy in
/// testing mode, so the session goes on but the failure is reported (RFC 8461 5).
/// </summary>
public sealed record TlsCheckResult(bool Accepted, string? Reason, string? ResultType, bool ReportOnly = false)
{
    public static TlsCheckResult Accept { get; } = new(true, null, null);

    public static TlsCheckResult Refuse(string reason, string resultType) => new(false, reason, resultType);

    /// <summary>True when this session counts as a TLS-RPT failure (refused, or failed in testing mode).</summary>
    public bool IsReportedFailure => ResultType is not null;
}
