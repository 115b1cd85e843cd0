using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Smime.Vault;

/// <summary>
/// Key pairs for <c>keys generate</c>, with a self-signed certificate in the S/MIME profile (RFC 8550:
/// rfc822Name in subjectAltName for a user, key usage, extended key usage emailProtection). Self-signed
/// until the internal CA of issue 12 exists; the CA can then re-issue for the same escrowed key.
/// </summary>
internal static class SmimeCertificateFactory
{
    private static readonly TimeSpan BackDate = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Validity = TimeSpan.FromDays(730);

    /// <summary>The certificate's DER and its private key as PKCS#8 in a pinned buffer (the caller zeroes it).</summary>
    public static (byte[] Certificate, byte[] Pkcs8) Create(VaultIdentity identity, VaultKeyAlgorithm algorithm, DateTimeOffset now)
    {
        using AsymmetricAlgorithm key = algorithm switch
        {
            VaultKeyAlgorithm.Rsa2048 => RSA.Create(2048),
            VaultKeyAlgorithm.Rsa3072 => RSA.Create(3072),
            VaultKeyAlgorithm.EcP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        var subject = new X500DistinguishedName($"CN={identity.Name}");
        var request = key is RSA rsa
            ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        // RSA keys sign and receive key transport; EC keys sign and receive key agreement (RFC 8550 4.4.2).
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | (key is RSA ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.KeyAgreement), true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.4", "emailProtection")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (identity.Kind == VaultIdentityKind.User)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddEmailAddress(identity.Name);
            request.CertificateExtensions.Add(names.Build());
        }

        using var certificate = request.CreateSelfSigned(now - BackDate, now + Validity);
        return (certificate.RawData, PrivateKeyCodec.ExportPkcs8(key));
    }
}
