namespace Gateway.Transport.Dane;

/// <summary>What matching a server's certificate against its TLSA records found (RFC 7672 2.2, 3.1).</summary>
public enum DaneOutcome
{
    /// <summary>A usable DANE-EE or DANE-TA record authenticates the server.</summary>
    Match,

    /// <summary>There are usable records and none authenticates the server: do not deliver to this host.</summary>
    Mismatch,

    /// <summary>
    /// Records exist but none is usable (RFC 7672 2.2): TLS is still mandatory, without authentication
    /// ("encrypt").
    /// </summary>
    AllUnusable,
}
