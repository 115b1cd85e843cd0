namespace Gateway.Delivery.Tls;

/// <summary>
/// What an <see cref="IServerCertificateValidator"/> decided, with the reason for a refusal. A failure under a
/// policy in testing mode (MTA-STS "testing") is accepted with its reason and TLS-RPT result type, so it is
/// reported without stopping delivery (RFC 8461 5).
/// </summary>
public sealed record CertificateVerdict
{
    private CertificateVerdict(bool accepted, string? reason, string? resultType)
    {
        Accepted = accepted;
        Reason = reason;
        ResultType = resultType;
    }

    public static CertificateVerdict Accept { get; } = new(true, null, null);

    public bool Accepted { get; }

    /// <summary>Why the certificate was refused ("certificate name does not match mx.example.test"); for an accepted one, a failure only reported.</summary>
    public string? Reason { get; }

    /// <summary>The TLS-RPT result type of the failure (RFC 8460 4.3), when there was one.</summary>
    public string? ResultType { get; }

    public static CertificateVerdict Refuse(string reason, string? resultType = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new CertificateVerdict(false, reason, resultType);
    }

    /// <summary>Accepted although the check failed: the policy is in testing mode.</summary>
    public static CertificateVerdict AcceptReported(string reason, string resultType)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        ArgumentException.ThrowIfNullOrEmpty(resultType);
        return new CertificateVerdict(true, reason, resultType);
    }
}
