namespace Gateway.Transport;

/// <summary>
/// How much TLS a delivery to a destination demands, with the names of Postfix's TLS policy table
/// (smtp_tls_security_level), strongest last.
/// </summary>
public enum TlsLevel
{
    /// <summary>Never STARTTLS, even when offered.</summary>
    None,

    /// <summary>Opportunistic (RFC 7435): TLS when offered, any certificate, plaintext when not offered.</summary>
    May,

    /// <summary>TLS required, any certificate: protects against passive listeners only.</summary>
    Encrypt,

    /// <summary>TLS required with a PKIX-valid chain (RFC 5280) naming the MX host (RFC 6125).</summary>
    Verify,

    /// <summary>TLS required, the certificate matched against the MX host's DNSSEC-secure TLSA records (RFC 7672).</summary>
    Dane,

    /// <summary>
    /// Postfix's "dane-only": DANE is required; a host without DNSSEC-secure usable TLSA records is not delivered to.
    /// </summary>
    DaneOnly,

    /// <summary>TLS required as the destination's MTA-STS policy in enforce mode says (RFC 8461 5).</summary>
    MtaSts,
}
