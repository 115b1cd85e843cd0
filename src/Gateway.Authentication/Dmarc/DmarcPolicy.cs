namespace Gateway.Authentication.Dmarc;

/// <summary>The Domain Owner's requested handling of failing mail (RFC 7489 6.3 "p"), in increasing severity.</summary>
public enum DmarcPolicy
{
    /// <summary>Monitor only: no action on failing mail.</summary>
    None,

    /// <summary>Treat failing mail as suspicious (spam folder, quarantine).</summary>
    Quarantine,

    /// <summary>Reject failing mail during the SMTP transaction.</summary>
    Reject,
}
