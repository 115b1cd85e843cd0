using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Smime.Tests.Vault;

/// <summary>PKCS#12 files as a user's mail client would export them, made at test time.</summary>
internal static class TestPkcs12
{
    public static byte[] Create(string email, string password, out X509Certificate2 certificate)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=Test User, E={email}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddEmailAddress(email);
        request.CertificateExtensions.Add(names.Build());
        using var withKey = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        certificate = X509CertificateLoader.LoadCertificate(withKey.RawData);
        return withKey.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password);
    }
}
