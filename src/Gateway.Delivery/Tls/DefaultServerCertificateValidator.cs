using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Delivery.Routing;
using Gateway.Transport.Policy;

namespace Gateway.Delivery.Tls;

/// <summary>
/// Enforces the next hop's TLS requirement (<see cref="NextHop.Tls"/>) on the certificate it presents: "may" and
/// "encrypt" accept any certificate (RFC 7435: encryption against a passive listener beats plaintext), "verify" and
/// MTA-STS need PKIX validation (RFC 5280) and the right name (RFC 6125; pinned CAs for internal routes), DANE
/// needs a matching TLSA record (RFC 7672 3). The decision is <see cref="CertificatePolicyCheck"/>'s.
/// </summary>
public sealed class DefaultServerCertificateValidator : IServerCertificateValidator
{
    private readonly CertificatePolicyCheck _check;

    public DefaultServerCertificateValidator(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _check = new CertificatePolicyCheck(time);
    }

    public CertificateVerdict Validate(NextHop hop, X509Certificate certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(hop);
        var result = _check.Check(hop.Tls, certificate, chain, errors);
        if (!result.Accepted)
        {
            return CertificateVerdict.Refuse(result.Reason ?? $"certificate of {hop.Host} not accepted", result.ResultType);
        }

        return result.ReportOnly && result.Reason is { } reason && result.ResultType is { } type
            ? CertificateVerdict.AcceptReported(reason, type)
            : CertificateVerdict.Accept;
    }
}
