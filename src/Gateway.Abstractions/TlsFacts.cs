using System.Net.Security;
using System.Security.Authentication;

namespace Gateway.Abstractions;

/// <summary>What the TLS handshake established, for logs, Received headers and policy.</summary>
public sealed record TlsFacts(SslProtocols Protocol, TlsCipherSuite CipherSuite, string? ClientCertificateSubject = null);
