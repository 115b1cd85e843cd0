using Gateway.Smime.Tests.Cms;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Smime;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Tests.CertificateDirectory;

/// <summary>Certificates shaped for the directory rules: advertising capabilities, or with another validity.</summary>
internal static class DirectoryTestCertificates
{
    /// <summary>Now for these tests: inside every TestPki leaf's validity (2026-01-01 .. 2029-01-01).</summary>
    public static DateTimeOffset Now { get; } = new(2026, 12, 6, 4, 0, 0, TimeSpan.Zero);

    /// <summary>A leaf with the smimeCapabilities extension (RFC 4262) listing AES-256-GCM and RSA-OAEP.</summary>
    public static TestIdentity AdvertisingGcmAndOaep(TestCa ca, string address) =>
        TestPki.Issue(ca, address, customize: generator =>
        {
            var vector = new SmimeCapabilityVector();
            vector.AddCapability(new DerObjectIdentifier("2.16.840.1.101.3.4.1.46"));
            vector.AddCapability(PkcsObjectIdentifiers.IdRsaesOaep);
            generator.AddExtension(PkcsObjectIdentifiers.Pkcs9AtSmimeCapabilities, false, new DerSequence(vector.ToAsn1EncodableVector()));
        });

    public static TestIdentity ValidFrom(TestCa ca, string address, DateTime notBefore, DateTime notAfter) =>
        TestPki.Issue(ca, address, customize: generator =>
        {
            generator.SetNotBefore(notBefore);
            generator.SetNotAfter(notAfter);
        });

    /// <summary>Signing only: keyUsage without keyEncipherment or keyAgreement.</summary>
    public static TestIdentity SigningOnly(TestCa ca, string address) => TestPki.Issue(ca, address, keyUsage: KeyUsage.DigitalSignature);

    public static System.Security.Cryptography.X509Certificates.X509Certificate2 ToDotNet(X509Certificate certificate) =>
        System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(certificate.GetEncoded());
}
