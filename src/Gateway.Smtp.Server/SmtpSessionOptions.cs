using Gateway.Smtp.Server.Tls;

namespace Gateway.Smtp.Server;

/// <summary>
/// Limits and behaviour of one SMTP session, taken as a snapshot from the current policy when the connection
/// is accepted. Every default cites where it comes from.
/// </summary>
public sealed record SmtpSessionOptions
{
    /// <summary>Our name in the greeting, EHLO reply and 421 texts.</summary>
    public required string HostName { get; init; }

    /// <summary>Text after the host name in the 220 greeting. Never name the software or its version.</summary>
    public string GreetingText { get; init; } = "ESMTP";

    /// <summary>Server certificates for STARTTLS / implicit TLS, chosen by SNI; null: STARTTLS is not offered.</summary>
    public ServerCertificates? Certificates { get; init; }

    /// <summary>
    /// MAIL before TLS is refused with 530 5.7.0 (RFC 3207 4): the listener requires it, or the client's network does
    /// (the host decides which when it opens the session).
    /// </summary>
    public bool RequireTls { get; init; }

    /// <summary>REQUIRETLS (RFC 8689) is advertised inside TLS and its MAIL parameter accepted there.</summary>
    public bool RequireTlsExtension { get; init; } = true;

    /// <summary>AUTH PLAIN LOGIN is offered, and only once TLS is active (RFC 4954 4: no plaintext passwords).</summary>
    public bool AuthEnabled { get; init; }

    /// <summary>MAIL before a successful AUTH is refused with 530 5.7.0 (RFC 4954 6): a submission listener.</summary>
    public bool RequireAuth { get; init; }

    /// <summary>True: VRFY answers 252 2.5.0 (RFC 5321 3.5.3); false: 502 5.5.1.</summary>
    public bool VrfyEnabled { get; init; } = true;

    /// <summary>RFC 5321 4.5.3.1.4: 512 octets per command line, CRLF included.</summary>
    public int MaxCommandLineLength { get; init; } = 512;

    /// <summary>RFC 5321 4.5.3.1.6: 1000 octets per text line, CRLF included.</summary>
    public int MaxTextLineLength { get; init; } = 1000;

    /// <summary>RFC 5321 4.5.3.1.3: 256 octets per path, angle brackets included.</summary>
    public int MaxPathLength { get; init; } = 256;

    /// <summary>RFC 5321 4.5.3.1.8: at least 100 recipients must be buffered; more get 452 4.5.3.</summary>
    public int MaxRecipients { get; init; } = 100;

    /// <summary>Advertised with EHLO SIZE (RFC 1870); larger messages get 552 5.3.4. Default 35 MiB.</summary>
    public long MaxMessageSize { get; init; } = 36_700_160;

    /// <summary>All open sessions of the server; beyond it new connections get 421 4.7.0.</summary>
    public int MaxConnections { get; init; } = 1000;

    /// <summary>Open sessions per client address; beyond it 421 4.7.0.</summary>
    public int MaxConnectionsPerClient { get; init; } = 50;

    /// <summary>Protocol errors before the session is ended with 421 4.7.0 (Postfix smtpd_hard_error_limit).</summary>
    public int MaxErrors { get; init; } = 10;

    /// <summary>
    /// Wait this long before the banner to catch clients that talk first (RFC 5321 3.1: the client waits for
    /// the greeting). Zero disables the check: without a delay there is nothing to observe.
    /// </summary>
    public TimeSpan PregreetDelay { get; init; } = TimeSpan.Zero;

    /// <summary>A client that sent data during <see cref="PregreetDelay"/> gets 521 5.5.0 and is disconnected.</summary>
    public bool RejectEarlyTalkers { get; init; } = true;

    /// <summary>Waiting for the first command after the greeting.</summary>
    public TimeSpan GreetingTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>RFC 5321 4.5.3.2.7: server timeout waiting for the next command, at least 5 minutes.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>RFC 5321 4.5.3.2.5: between data blocks, 3 minutes.</summary>
    public TimeSpan DataBlockTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Slowest a client may send a command line (once begun), a message body or a BDAT chunk, in octets per second
    /// averaged since its start, once <see cref="MinDataRateGrace"/> has passed; slower ends the session with 421.
    /// 0 turns the check off.
    /// </summary>
    public int MinDataRate { get; init; } = 240;

    /// <summary>How long a transfer may run before <see cref="MinDataRate"/> applies.</summary>
    public TimeSpan MinDataRateGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>RFC 5321 4.5.3.2.6: after the final dot until our reply, 10 minutes (the client's limit; we must answer sooner).</summary>
    public TimeSpan DataTerminationTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Offer only the gateway's own ephemeral-ECDH AEAD suites instead of OpenSSL's configured list; costs TLS
    /// session resumption (see <see cref="Tls.ServerTlsOptions"/>).
    /// </summary>
    public bool StrictCipherSuites { get; init; }

    /// <summary>A TLS handshake that does not finish in time ends the connection silently.</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Overall life of one session, then 421 4.4.2.</summary>
    public TimeSpan SessionDeadline { get; init; } = TimeSpan.FromMinutes(30);
}
