namespace Gateway.Policy;

/// <summary>Which cipher suites inbound TLS offers (tls.ciphers).</summary>
public enum TlsCipherPolicy
{
    /// <summary>
    /// OpenSSL's configured list (the system's, or the one an OPENSSL_CONF file sets), with TLS session resumption:
    /// like Postfix's opportunistic default, any encryption beats plaintext (RFC 7435).
    /// </summary>
    System,

    /// <summary>
    /// Only ephemeral-ECDH AEAD suites (RFC 9325 4.2), set by the gateway itself. .NET cannot keep the TLS context
    /// that resumption needs when it sets the list, so every connection makes a full handshake.
    /// </summary>
    Strict,
}
