using Gateway.Abstractions;

namespace Gateway.Transport.Dane;

/// <summary>
/// The TLSA records of one MX host and port (all of them, as published; <see cref="Usable"/> keeps those an SMTP
/// client may use), or why there are none. <see cref="FailureResultType"/> is the TLS-RPT result type (RFC 8460
/// 4.3) of a failed lookup.
/// </summary>
public sealed record TlsaLookupResult(
    string Host,
    string QueryName,
    TlsaLookupStatus Status,
    IReadOnlyList<TlsaRecord> Records,
    string? FailureResultType = null,
    string? Detail = null)
{
    public IReadOnlyList<TlsaRecord> Usable => TlsaUsability.Usable(Records);

    /// <summary>True when DANE governs the host: secure records exist, usable or not.</summary>
    public bool DaneApplies => Status == TlsaLookupStatus.Secure;
}
