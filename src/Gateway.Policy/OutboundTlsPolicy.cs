using Gateway.Transport;

namespace Gateway.Policy;

/// <summary>
/// TLS for delivery to other domains (delivery.tls:), as Postfix's smtp_tls_security_level with a policy table.
/// The default level applies to MX delivery; a destination that publishes DANE (with <see cref="Dane"/>) or
/// MTA-STS (with <see cref="MtaSts"/>) is upgraded to it; a per-domain entry overrides both.
/// </summary>
public sealed record OutboundTlsPolicy
{
    public TlsLevel Level { get; init; } = TlsLevel.May;

    /// <summary>Look up and honour the destinations' MTA-STS policies (RFC 8461).</summary>
    public bool MtaSts { get; init; } = true;

    /// <summary>Honour DANE TLSA records (RFC 7672); needs <c>dns.dnssec: validating</c> to ever apply.</summary>
    public bool Dane { get; init; } = true;

    /// <summary>
    /// Per destination: a domain (canonical) or ".parent.example" for every domain below it; the exact name wins
    /// over the parent form, a longer parent over a shorter one.
    /// </summary>
    public IReadOnlyDictionary<string, DestinationTlsSetting> Destinations { get; init; } =
        new Dictionary<string, DestinationTlsSetting>(StringComparer.Ordinal);

    public TlsReportingPolicy Reporting { get; init; } = new();
}
