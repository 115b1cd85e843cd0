namespace Gateway.Smime.Ca;

/// <summary>How the internal CA issues certificates and CRLs; the defaults follow the CA/Browser Forum S/MIME baseline requirements.</summary>
public sealed record CertificateAuthorityOptions
{
    /// <summary>Where <c>&lt;ca-id&gt;.crl</c> is written; by default <c>crl/</c> beside the vault directory, where the admin endpoint serves it from.</summary>
    public string? CrlDirectory { get; init; }

    /// <summary>nextUpdate − thisUpdate of each CRL. A week, regenerated daily, leaves relying parties six days of slack.</summary>
    public TimeSpan CrlValidity { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Validity of an issued mailbox certificate; the S/MIME BR cap is 825 days.</summary>
    public TimeSpan CertificateValidity { get; init; } = TimeSpan.FromDays(730);
}
