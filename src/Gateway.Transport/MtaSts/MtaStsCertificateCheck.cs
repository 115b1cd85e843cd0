using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Transport.MtaSts;

/// <summary>
/// PKIX validation of the policy host's certificate for "mta-sts.&lt;domain&gt;" (RFC 8461 3.3, RFC 6125 names).
/// The platform's verdict stands when it accepts; when its only complaint is an untrusted chain and extra roots
/// are configured, the chain is built again with those roots as a custom trust store. A wrong name or a missing
/// certificate is never excused.
/// </summary>
internal static class MtaStsCertificateCheck
{
    /// <summary>RFC 5280 4.2.1.12 id-kp-serverAuth: the certificate must be meant for a TLS server.</summary>
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>Null when the certificate is acceptable; otherwise why not, for logs and TLS-RPT details.</summary>
    public static string? Check(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection? extraRoots)
    {
        if (errors == SslPolicyErrors.None)
        {
            return null;
        }

        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return "the server presented no certificate";
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return "the certificate does not name the policy host";
        }

        if (extraRoots is null || extraRoots.Count == 0)
        {
            return "the certificate chain is not trusted: " + Describe(chain);
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(extraRoots);

        // As the platform check above: SslStream's default is no revocation check (CertificateRevocationCheckMode).
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthentication));
        if (chain is not null)
        {
            // The intermediates the server sent.
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        var leaf = certificate as X509Certificate2;
        using var loaded = leaf is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        return custom.Build(leaf ?? loaded!) ? null : "the certificate chain is not trusted: " + Describe(custom);
    }

    private static string Describe(X509Chain? chain)
    {
        if (chain is null || chain.ChainStatus.Length == 0)
        {
            return "no chain";
        }

        return string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
    }
}
