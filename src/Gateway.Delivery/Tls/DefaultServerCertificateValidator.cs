using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Delivery.Routing;

namespace Gateway.Delivery.Tls;

/// <summary>
/// The behaviour without a TLS policy. Opportunistic TLS (RFC 7435, RFC 3207 4.1) accepts any certificate:
/// encryption against a passive listener is better than plaintext, and refusing would only push the mail
/// into the clear. A route with <c>require_tls</c> gets the platform's PKIX validation (RFC 5280) of the chain
/// and of the hop's host name (RFC 6125).
/// </summary>
public sealed class DefaultServerCertificateValidator : IServerCertificateValidator
{
    public static DefaultServerCertificateValidator Instance { get; } = new();

    public CertificateVerdict Validate(NextHop hop, X509Certificate certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(hop);
        if (!hop.RequireTls || errors == SslPolicyErrors.None)
        {
            return CertificateVerdict.Accept;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return CertificateVerdict.Refuse("no server certificate");
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return CertificateVerdict.Refuse($"certificate name does not match {hop.Host}");
        }

        var status = chain?.ChainStatus.Select(s => s.Status.ToString()).Distinct().ToList() ?? [];
        return CertificateVerdict.Refuse(status.Count == 0 ? "certificate not trusted" : "certificate not trusted: " + string.Join(", ", status));
    }
}
