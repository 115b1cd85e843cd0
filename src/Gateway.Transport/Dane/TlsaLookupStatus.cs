namespace Gateway.Transport.Dane;

/// <summary>How the TLSA question of an MX host came out, in the terms of RFC 7672 2.1 and 2.2.</summary>
public enum TlsaLookupStatus
{
    /// <summary>DNSSEC-secure TLSA records exist (usable or not): DANE applies to the host.</summary>
    Secure,

    /// <summary>Authenticated denial (NXDOMAIN or NODATA): the host has no DANE policy.</summary>
    SecureNoRecords,

    /// <summary>The answer was not authenticated (unsigned zone): treated as no TLSA records (RFC 7672 2.1.1).</summary>
    Insecure,

    /// <summary>
    /// The lookup failed (SERVFAIL, timeout) where the answer had to be secure (RFC 7672 2.1.1): the host must not
    /// be used now, not even in plaintext; delivery to it is deferred.
    /// </summary>
    Failed,

    /// <summary>DANE does not apply: the MX RRset (or the address of an MX-less domain) was not DNSSEC-secure (RFC 7672 2.2.2).</summary>
    NotApplicable,
}
