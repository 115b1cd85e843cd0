using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Testing;

/// <summary>Self-signed server certificates generated at test time (never checked in, never trusted by the system).</summary>
public static class TestCertificates
{
    private static readonly Lazy<X509Certificate2> Shared = new(() => Create("mx.test"));

    /// <summary>One self-signed certificate for mx.test, shared by the tests.</summary>
    public static X509Certificate2 Server => Shared.Value;

    /// <summary>A self-signed server certificate for <paramref name="dnsName"/>, valid from a few minutes ago for a day.</summary>
    public static X509Certificate2 Create(string dnsName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + dnsName, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
