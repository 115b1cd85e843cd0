using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Smime.Cms;
using Gateway.Smime.Vault;

namespace Gateway.Smime.Ca;

/// <summary>
/// The certificates the internal CA signs: its own root (RFC 5280 4.2.1.9/4.2.1.3: cA, keyCertSign and
/// cRLSign, critical) and mailbox certificates in the S/MIME profile (RFC 8550 4.4, CA/B Forum S/MIME BR
/// 7.1.2.3): rfc822Name, key usage by key type, emailProtection, smimeCapabilities (RFC 4262), AKI/SKI and a
/// CRL distribution point.
/// </summary>
internal static class SmimeProfile
{
    /// <summary>RFC 4262: the smimeCapabilities certificate extension (the PKCS#9 attribute's OID).</summary>
    public const string SmimeCapabilitiesOid = "1.2.840.113549.1.9.15";

    // Certificates start a few minutes back so a relying party with a slightly slow clock accepts them at once.
    private static readonly TimeSpan BackDate = TimeSpan.FromMinutes(5);

    public static AsymmetricAlgorithm CreateKey(CaKeyAlgorithm algorithm) => algorithm switch
    {
        CaKeyAlgorithm.Rsa3072 => RSA.Create(3072),
        CaKeyAlgorithm.EcP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    public static X509Certificate2 CreateRoot(X500DistinguishedName subject, AsymmetricAlgorithm key, DateTimeOffset now, TimeSpan validity)
    {
        var request = key is RSA rsa
            ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        // pathLen 0: this CA signs mailbox certificates only, never another CA.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.Create(subject, Signer(key), now - BackDate, now + validity, NewSerial());
    }

    /// <summary>A mailbox certificate for <paramref name="key"/>, signed by <paramref name="ca"/> (which holds its private key); never valid beyond the CA.</summary>
    public static X509Certificate2 Issue(VaultIdentity identity, AsymmetricAlgorithm key, X509Certificate2 ca, AsymmetricAlgorithm caKey, Uri crlUrl, DateTimeOffset now, TimeSpan validity)
    {
        var request = SmimeCertificateFactory.NewRequest(identity, key);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([crlUrl.AbsoluteUri]));
        // RSA-OAEP is only something an RSA key can receive.
        request.CertificateExtensions.Add(new X509Extension(SmimeCapabilitiesOid, SmimeCapabilitiesAttribute.Capabilities(includeOaep: key is RSA).GetDerEncoded(), false));
        var notAfter = now + validity;
        var caNotAfter = new DateTimeOffset(ca.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        return request.Create(ca.SubjectName, Signer(caKey), now - BackDate, notAfter < caNotAfter ? notAfter : caNotAfter, NewSerial());
    }

    /// <summary>RFC 5280 4.1.2.2 / S/MIME BR 7.1: a positive serial with at least 64 random bits; 127 here.</summary>
    public static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        // Top bit clear (positive INTEGER), next bit set (no leading zero octet to drop in DER).
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40);
        return serial;
    }

    private static X509SignatureGenerator Signer(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        ECDsa ecdsa => X509SignatureGenerator.CreateForECDsa(ecdsa),
        _ => throw new VaultException("unsupported CA key algorithm"),
    };
}
