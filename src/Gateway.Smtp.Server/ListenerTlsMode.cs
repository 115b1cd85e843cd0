namespace Gateway.Smtp.Server;

/// <summary>How a listener offers TLS.</summary>
public enum ListenerTlsMode
{
    /// <summary>Plain text only; STARTTLS is never advertised.</summary>
    None,

    /// <summary>Plain text with STARTTLS (RFC 3207) when a certificate is configured.</summary>
    StartTls,

    /// <summary>TLS from the first octet (RFC 8314 3.3, submissions on port 465).</summary>
    Implicit,
}
