namespace Gateway.Smime.Revocation;

public sealed record CrlFetchOptions
{
    /// <summary>A fetched CRL is reused until its nextUpdate, but never longer than this, so a CA's early reissue is seen.</summary>
    public TimeSpan MaxCacheAge { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How long a distribution point that failed (or served an unusable CRL) is not asked again.</summary>
    public TimeSpan FailureTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Distinct distribution points remembered.</summary>
    public int MaxCacheEntries { get; init; } = 1_000;

    /// <summary>A certificate could list many distribution points; only the first few are tried.</summary>
    public int MaxPointsPerCertificate { get; init; } = 3;

    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(5);
}
