using Gateway.Lookups;

namespace Gateway.Smime.CertificateDirectory;

/// <summary>An LDAP directory holding recipient certificates (RFC 4523 userCertificate, RFC 2798 userSMIMECertificate).</summary>
public sealed record LdapDirectoryOptions : LdapSearchOptions
{
    public LdapDirectoryOptions(IReadOnlyList<Uri> servers, string baseDn)
        : base(servers, baseDn)
    {
    }

    /// <summary>The certificate directory's settings on top of how its server is searched.</summary>
    public LdapDirectoryOptions(LdapSearchOptions search)
        : base(search)
    {
    }

    /// <summary>How long certificates found are reused: a new or revoked certificate shows after at most this long.</summary>
    public TimeSpan PositiveTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long "no certificate" is remembered: shorter, as a newly published certificate should be found soon.</summary>
    public TimeSpan NegativeTtl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an unreachable directory is not asked again, so an outage does not add a timeout to every message.</summary>
    public TimeSpan FailureTtl { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Bounds the cache's memory: addresses beyond this evict the entry closest to expiry.</summary>
    public int MaxCacheEntries { get; init; } = 10_000;
}
