using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Smtp.Server.Tests.Infrastructure;

internal static class TestCertificates
{
    private static readonly Lazy<X509Certificate2> Shared = new(Create);

    /// <summary>One self-signed certificate for mx.test, generated at test time, shared by the tests.</summary>
    public static X509Certificate2 Server => Shared.Value;

    private static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mx.test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("mx.test");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
