namespace Gateway.Transport.MtaSts;

/// <summary>
/// A policy as the sender caches it (RFC 8461 5.1): the policy, the TXT id it was fetched under, when it was
/// fetched and when it expires (fetch time plus max_age; RFC 8461 3.2).
/// </summary>
public sealed record MtaStsCachedPolicy(string Domain, string PolicyId, MtaStsPolicy Policy, DateTimeOffset FetchedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>A cached policy may be applied only before it expires (RFC 8461 3.3, 5.1).</summary>
    public bool IsValidAt(DateTimeOffset now) => now < ExpiresAt;
}
