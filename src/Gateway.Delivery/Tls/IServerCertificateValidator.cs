using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Delivery.Routing;

namespace Gateway.Delivery.Tls;

/// <summary>
/// Decides whether the certificate a next hop presents after STARTTLS is good enough for delivering to it.
/// This is where a destination's TLS policy is enforced (DESIGN: "TLS policy enforcement in certificate
/// validation"): today the route's <c>require_tls</c>, next MTA-STS (RFC 8461 4.2) and DANE (RFC 7672 3).
/// Called during the handshake, so it must not block: anything to look up (TLSA records, policies) is looked
/// up before connecting and reaches the validator with the hop.
/// </summary>
public interface IServerCertificateValidator
{
    /// <param name="hop">The next hop: its host name (the name to verify), address, port and TLS requirement.</param>
    /// <param name="certificate">The server's certificate.</param>
    /// <param name="chain">The chain the platform built for it (PKIX, RFC 5280), when it could build one.</param>
    /// <param name="errors">What the platform's validation found for <see cref="NextHop.Host"/>.</param>
    /// <returns>Accept, or refuse with a reason that ends up in the delivery diagnostic.</returns>
    CertificateVerdict Validate(NextHop hop, X509Certificate certificate, X509Chain? chain, SslPolicyErrors errors);
}
