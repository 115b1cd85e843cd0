namespace Gateway.Policy;

/// <summary>Sender authentication (authentication:): SPF, DKIM, ARC and DMARC verification, enforcement and signing.</summary>
public sealed record AuthenticationPolicy
{
    /// <summary>
    /// The RFC 8601 2.5 authserv-id of our Authentication-Results fields (canonical domain name). The loader
    /// always sets it, to <see cref="GatewayPolicy.HostName"/> when the file does not; null only in a policy
    /// built by hand, where consumers use the host name.
    /// </summary>
    public string? AuthservId { get; init; }

    public SpfPolicy Spf { get; init; } = new();

    public DkimPolicy Dkim { get; init; } = new();

    public ArcPolicy Arc { get; init; } = new();

    public DmarcPolicy Dmarc { get; init; } = new();
}
