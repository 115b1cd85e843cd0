namespace Gateway.Delivery.Tls;

/// <summary>What an <see cref="IServerCertificateValidator"/> decided, with the reason for a refusal.</summary>
public sealed record CertificateVerdict
{
    private CertificateVerdict(bool accepted, string? reason)
    {
        Accepted = accepted;
        Reason = reason;
    }

    public static CertificateVerdict Accept { get; } = new(true, null);

    public bool Accepted { get; }

    /// <summary>Why the certificate was refused ("certificate name does not match mx.example.test"); null when accepted.</summary>
    public string? Reason { get; }

    public static CertificateVerdict Refuse(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new CertificateVerdict(false, reason);
    }
}
