namespace Gateway.Authentication.Dmarc;

/// <summary>The DMARC result, with the RFC 7489 11.2 Authentication-Results names.</summary>
public enum DmarcResult
{
    /// <summary>No DMARC policy was found (or discovery found several records: RFC 7489 6.6.3 step 5).</summary>
    None,

    /// <summary>An identifier authenticated by SPF or DKIM aligns with the RFC5322.From domain.</summary>
    Pass,

    /// <summary>A policy exists and no aligned identifier passed.</summary>
    Fail,

    /// <summary>A transient DNS error prevented policy discovery.</summary>
    TempError,

    /// <summary>
    /// The policy record is unusable, or the message has no single usable RFC5322.From domain (RFC 7489 6.6.1).
    /// </summary>
    PermError,
}
