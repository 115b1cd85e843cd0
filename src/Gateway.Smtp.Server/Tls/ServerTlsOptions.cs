using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Smtp.Server.Tls;

/// <summary>
/// The one place the inbound TLS parameters are set: protocol versions, cipher suites, resumption. The README's TLS
/// section lists the same suites; change both together. Two cipher choices, because .NET on OpenSSL keeps (and so
/// can resume) a TLS context only when it does not set the cipher list itself: OpenSSL's configured list with
/// resumption (the default; an OPENSSL_CONF CipherString narrows it without losing resumption), or our strict list
/// with a full handshake per connection.
/// </summary>
internal static class ServerTlsOptions
{
    /// <summary>
    /// RFC 9325 4.2 (BCP 195): TLS 1.2 only with ephemeral ECDH and an AEAD cipher, so every session has forward
    /// secrecy and no CBC or RC4 suite is left to downgrade to. TLS 1.3 suites (RFC 8446 9.1) are all AEAD with
    /// ephemeral key exchange; they are listed because the policy replaces the whole OpenSSL list.
    /// </summary>
    internal static IReadOnlyList<TlsCipherSuite> CipherSuites { get; } =
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ];

    // Immutable once made. CipherSuitesPolicy works with OpenSSL only; elsewhere the platform's defaults apply.
    private static readonly CipherSuitesPolicy? Policy = OperatingSystem.IsLinux() ? new CipherSuitesPolicy(CipherSuites) : null;

    /// <summary>The handshake options with the certificate for the name the client asked for.</summary>
    /// <param name="certificate">The certificate chosen by SNI.</param>
    /// <param name="strict">Only <see cref="CipherSuites"/> (no resumption); else OpenSSL's configured list.</param>
    public static SslServerAuthenticationOptions For(ServerCertificate certificate, bool strict = false) => new()
    {
        ServerCertificateContext = certificate.Context,

        // RFC 8996 / RFC 9325 3.1.1: TLS 1.2 and 1.3 only.
#pragma warning disable CA5398 // The floor is deliberate: older protocols must not be negotiated at all.
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
#pragma warning restore CA5398
        CipherSuitesPolicy = strict ? Policy : null,

        // RFC 8446 2.2 / RFC 5077: resumption saves busy senders a full handshake per connection. It works (without a
        // cipher policy) because the certificate context is the same object for every connection of a snapshot.
        AllowTlsResume = true,
        ClientCertificateRequired = false,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        AllowRenegotiation = false,
    };
}
