using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace Gateway.Smime.Tests.Cms;

public enum TestKeyKind
{
    Rsa2048,
    Rsa3072,
    EcP256,
}

/// <summary>An S/MIME identity made for one test: key, certificate, and the chain up to (not including) the root.</summary>
public sealed record TestIdentity(string Address, AsymmetricKeyParameter PrivateKey, X509Certificate Certificate, TestCa Ca)
{
    public IReadOnlyList<X509Certificate> Chain => [Certificate];

    public string CertificatePem => TestPki.Pem(Certificate);

    public string PrivateKeyPem => TestPki.Pem(PrivateKey);
}

public sealed record TestCa(AsymmetricKeyParameter PrivateKey, X509Certificate Certificate)
{
    public string CertificatePem => TestPki.Pem(Certificate);
}

/// <summary>A throw-away CA and S/MIME end-entity certificates, generated per test run (no keys in the repository).</summary>
public static class TestPki
{
    private static readonly SecureRandom Random = new();

    public static DateTime NotBefore { get; } = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <param name="name">The CA's common name.</param>
    /// <param name="parent">Issues this CA as an intermediate; null makes a self-signed root.</param>
    /// <param name="customize">Last changes before signing (extra extensions, other validity).</param>
    public static TestCa CreateCa(string name = "Gateway Test S/MIME CA", TestCa? parent = null, Action<X509V3CertificateGenerator>? customize = null)
    {
        var keys = Generate(TestKeyKind.Rsa2048);
        var subject = new X509Name($"CN={name},O=Gateway Tests");
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(new BigInteger(64, Random).Add(BigInteger.One));
        generator.SetIssuerDN(parent?.Certificate.SubjectDN ?? subject);
        generator.SetSubjectDN(subject);
        generator.SetNotBefore(NotBefore);
        generator.SetNotAfter(NotBefore.AddYears(10));
        generator.SetPublicKey(keys.Public);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(keys.Public));
        if (parent is not null)
        {
            generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(parent.Certificate));
        }
        customize?.Invoke(generator);
        var certificate = generator.Generate(new Asn1SignatureFactory("SHA256WITHRSA", parent?.PrivateKey ?? keys.Private, Random));
        return new TestCa(keys.Private, certificate);
    }

    public static TestIdentity Issue(TestCa ca, string address, TestKeyKind kind = TestKeyKind.Rsa2048, bool emailProtection = true, string? sanAddress = null,
        Action<X509V3CertificateGenerator>? customize = null, int? keyUsage = null)
    {
        var keys = Generate(kind);
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(new BigInteger(64, Random).Add(BigInteger.One));
        generator.SetIssuerDN(ca.Certificate.SubjectDN);
        generator.SetSubjectDN(new X509Name($"CN={address},O=Gateway Tests"));
        generator.SetNotBefore(NotBefore);
        generator.SetNotAfter(NotBefore.AddYears(3));
        generator.SetPublicKey(keys.Public);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        var usage = kind == TestKeyKind.EcP256
            ? KeyUsage.DigitalSignature | KeyUsage.KeyAgreement
            : KeyUsage.DigitalSignature | KeyUsage.KeyEncipherment;
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(keyUsage ?? usage));
        var purpose = emailProtection ? KeyPurposeID.id_kp_emailProtection : KeyPurposeID.id_kp_serverAuth;
        generator.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        generator.AddExtension(X509Extensions.SubjectAlternativeName, false,
            new GeneralNames(new GeneralName(GeneralName.Rfc822Name, sanAddress ?? address)));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(keys.Public));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(ca.Certificate));
        customize?.Invoke(generator);
        var certificate = generator.Generate(new Asn1SignatureFactory("SHA256WITHRSA", ca.PrivateKey, Random));
        return new TestIdentity(address, keys.Private, certificate, ca);
    }

    public static string Pem(object value)
    {
        using var text = new StringWriter();
        var writer = new PemWriter(text);
        writer.WriteObject(value is AsymmetricKeyParameter key ? new Pkcs8Generator(key) : value);
        writer.Writer.Flush();
        return text.ToString();
    }

    private static AsymmetricCipherKeyPair Generate(TestKeyKind kind)
    {
        if (kind == TestKeyKind.EcP256)
        {
            var ec = new ECKeyPairGenerator();
            ec.Init(new ECKeyGenerationParameters(new DerObjectIdentifier("1.2.840.10045.3.1.7"), Random));
            return ec.GenerateKeyPair();
        }
        var rsa = new RsaKeyPairGenerator();
        rsa.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), Random, kind == TestKeyKind.Rsa3072 ? 3072 : 2048, 100));
        return rsa.GenerateKeyPair();
    }
}
