using System.Net.Security;
using System.Security.Authentication;

namespace Gateway.Abstractions;

/// <summary>What the TLS handshake established, for logs, Received headers and policy.</summary>
public sealed record TlsFacts(SslProtocols Protocol, TlsCipherSuite CipherSuite, string? ClientCertificateSubject = null)
{
    /// <summary>The protocol as mail admins read it in logs and trace fields (OpenSSL's "TLSv1.3", not "Tls13").</summary>
    public string ProtocolName => NameOf(Protocol);

    /// <summary>OpenSSL's spelling of a protocol version; the enum name for anything else.</summary>
    public static string NameOf(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        _ => protocol.ToString(),
    };
}
