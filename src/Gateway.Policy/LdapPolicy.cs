namespace Gateway.Policy;

/// <summary>
/// An LDAP directory searched for an address: the S/MIME certificates of smime.directory.ldap (userCertificate;binary,
/// RFC 4523, and userSMIMECertificate, RFC 2798, of the entry the filter matches), or whether an entry exists at all
/// (recipients.DOMAIN.ldap). One set of keys for both, read by one reader.
/// </summary>
public sealed record LdapPolicy
{
    /// <summary>ldap:// or ldaps:// URIs, tried in order.</summary>
    public required IReadOnlyList<Uri> Servers { get; init; }

    public required string BaseDn { get; init; }

    /// <summary>Simple bind DN; null: anonymous.</summary>
    public string? BindDn { get; init; }

    /// <summary>Absolute path of the file holding the bind password (never the password in the policy).</summary>
    public string? BindPasswordFile { get; init; }

    /// <summary>Search filter with {0} for the address (escaped per RFC 4515 when used).</summary>
    public string Filter { get; init; } = "(mail={0})";

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long what was found for an address (certificates, an existing entry) is reused.</summary>
    public TimeSpan CacheFound { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long "nothing found" for an address is reused.</summary>
    public TimeSpan CacheNotFound { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A stable text of every setting, so a reload that changes nothing keeps the directory and its cache.</summary>
    public string Identity => string.Join(
        "\n",
        string.Join(" ", Servers),
        BaseDn,
        BindDn ?? string.Empty,
        BindPasswordFile ?? string.Empty,
        Filter,
        Timeout.Ticks,
        CacheFound.Ticks,
        CacheNotFound.Ticks);
}
