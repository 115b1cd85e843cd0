namespace Gateway.Smime.Revocation;

public sealed record RevocationOptions
{
    /// <summary>
    /// When true, a signer whose revocation status cannot be established is not valid (fail closed); the default
    /// lets it stay valid with <see cref="RevocationStatus.Unknown"/> reported, as most CAs' CRLs are often
    /// unreachable and a missing CRL is no evidence of revocation.
    /// </summary>
    public bool RequireRevocationCheck { get; init; }

    /// <summary>Tolerance for CRL thisUpdate/nextUpdate against our clock.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(5);
}
