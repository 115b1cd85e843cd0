namespace Gateway.Smime.CertificateDirectory;

/// <summary>An LDAP directory holding recipient certificates (RFC 4523 userCertificate, RFC 2798 userSMIMECertificate).</summary>
public sealed record LdapDirectoryOptions(IReadOnlyList<Uri> Servers, string BaseDn)
{
    /// <summary>Simple bind DN; null binds anonymously.</summary>
    public string? BindDn { get; init; }

    public string? BindPassword { get; init; }

    /// <summary>The search filter; <c>{0}</c> is replaced by the address, escaped per RFC 4515 3.</summary>
    public string FilterTemplate { get; init; } = "(mail={0})";

    /// <summary>Per server and request (connect, bind, search); the next server is tried after it.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long certificates found are reused: a new or revoked certificate shows after at most this long.</summary>
    public TimeSpan PositiveTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long "no certificate" is remembered: shorter, as a newly published certificate should be found soon.</summary>
    public TimeSpan NegativeTtl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an unreachable directory is not asked again, so an outage does not add a timeout to every message.</summary>
    public TimeSpan FailureTtl { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Bounds the cache's memory: addresses beyond this evict the entry closest to expiry.</summary>
    public int MaxCacheEntries { get; init; } = 10_000;

    /// <summary>Entries read per search; a filter that matches a whole subtree must not pull it all in.</summary>
    public int MaxEntries { get; init; } = 10;
}
