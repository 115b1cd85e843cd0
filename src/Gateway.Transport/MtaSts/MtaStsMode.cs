namespace Gateway.Transport.MtaSts;

/// <summary>The "mode" of an MTA-STS policy (RFC 8461 3.2).</summary>
public enum MtaStsMode
{
    /// <summary>Deliver only to matching MX hosts over TLS with a valid certificate, else defer.</summary>
    Enforce,

    /// <summary>Deliver anyway; report what would have failed (TLS-RPT).</summary>
    Testing,

    /// <summary>The domain withdraws its policy (RFC 8461 8.3).</summary>
    None,
}
