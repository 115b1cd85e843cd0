namespace Gateway.Policy;

/// <summary>How a listener offers TLS (policy key listeners[].tls).</summary>
public enum ListenerTls
{
    /// <summary>Plain text only; STARTTLS is not offered.</summary>
    None,

    /// <summary>Plain text first, STARTTLS offered (RFC 3207).</summary>
    StartTls,

    /// <summary>TLS from the first byte (RFC 8314 3.3, submissions on port 465).</summary>
    Implicit,
}
