using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gateway.Testing;

/// <summary>
/// A throw-away CA made at test time: a root and an intermediate, issuing server certificates for the names a test
/// asks for. Nothing of it is ever trusted by the system; tests that check a chain compare subjects and issuers.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa _rootKey;
    private readonly ECDsa _intermediateKey;

    public TestCertificateAuthority(string name = "Gateway Test")
    {
        var now = DateTimeOffset.UtcNow;
        _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest($"CN={name} Root CA", _rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        Root = rootRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(30));

        _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest($"CN={name} Intermediate CA", _intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        intermediateRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        using var issued = intermediateRequest.Create(Root, now.AddHours(-1), now.AddDays(20), RandomSerial());
        Intermediate = issued.CopyWithPrivateKey(_intermediateKey);
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    /// <summary>A server certificate (with its key) for the names, issued by the intermediate; the first name is the CN.</summary>
    public X509Certificate2 Issue(params string[] dnsNames)
    {
        ArgumentNullException.ThrowIfNull(dnsNames);
        var now = DateTimeOffset.UtcNow;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + dnsNames[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Intermediate, true, false));
        using var certificate = request.Create(Intermediate, now.AddMinutes(-5), now.AddDays(10), RandomSerial());
        using var withKey = certificate.CopyWithPrivateKey(key);

        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// A PEM file as certbot's fullchain.pem plus privkey.pem in one: the leaf, the intermediate, then the key.
    /// </summary>
    public string IssuePem(params string[] dnsNames)
    {
        using var certificate = Issue(dnsNames);
        return ChainPem(certificate) + KeyPem(certificate);
    }

    /// <summary>The leaf followed by the intermediate (certbot's fullchain.pem).</summary>
    public string ChainPem(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new StringBuilder()
            .Append(certificate.ExportCertificatePem()).Append('\n')
            .Append(Intermediate.ExportCertificatePem()).Append('\n')
            .ToString();
    }

    /// <summary>The certificate's private key as PKCS#8 PEM (certbot's privkey.pem).</summary>
    public static string KeyPem(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("no EC private key");
        return key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
        _rootKey.Dispose();
        _intermediateKey.Dispose();
    }

    private static byte[] RandomSerial() => RandomNumberGenerator.GetBytes(16);
}
