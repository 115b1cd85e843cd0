using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Smtp.Server.Tls;

/// <summary>
/// Builds the server certificate context (chain) once per certificate object rather than once per handshake;
/// entries go away with the certificate when a policy reload replaces it.
/// </summary>
internal sealed class CertificateContextCache
{
    private readonly ConditionalWeakTable<X509Certificate2, SslStreamCertificateContext> _contexts = [];

    public SslStreamCertificateContext Get(X509Certificate2 certificate) =>
        _contexts.GetValue(certificate, static c => SslStreamCertificateContext.Create(c, additionalCertificates: null, offline: true));
}
