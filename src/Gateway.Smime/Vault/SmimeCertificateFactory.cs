using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Smime.Cms;

namespace Gateway.Smime.Vault;

/// <summary>
/// Key pairs and certificate requests in the S/MIME profile (RFC 8550: rfc822Name in subjectAltName for a
/// user, key usage by key type, extended key usage emailProtection, subject key identifier). <c>keys
/// generate</c> self-signs them; the internal CA (<c>Ca/</c>) adds its own extensions and signs them.
/// </summary>
internal static class SmimeCertificateFactory
{
    private static readonly TimeSpan BackDate = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Validity = TimeSpan.FromDays(730);

    /// <summary>The certificate's DER and its private key as PKCS#8 in a pinned buffer (the caller zeroes it).</summary>
    public static (byte[] Certificate, byte[] Pkcs8) Create(VaultIdentity identity, VaultKeyAlgorithm algorithm, DateTimeOffset now)
    {
        using var key = CreateKey(algorithm);
        using var certificate = NewRequest(identity, key).CreateSelfSigned(now - BackDate, now + Validity);
        return (certificate.RawData, PrivateKeyCodec.ExportPkcs8(key));
    }

    public static AsymmetricAlgorithm CreateKey(VaultKeyAlgorithm algorithm) => algorithm switch
    {
        VaultKeyAlgorithm.Rsa2048 => RSA.Create(2048),
        VaultKeyAlgorithm.Rsa3072 => RSA.Create(3072),
        VaultKeyAlgorithm.EcP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>A request for <paramref name="key"/> carrying the end-entity S/MIME extensions.</summary>
    public static CertificateRequest NewRequest(VaultIdentity identity, AsymmetricAlgorithm key)
    {
        var subject = new X500DistinguishedName($"CN={identity.Name}");
        var request = key is RSA rsa
            ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        // RSA keys sign and receive key transport; EC keys sign and receive key agreement (RFC 8550 4.4.2).
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | (key is RSA ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.KeyAgreement), true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(SmimeOids.EmailProtection, "emailProtection")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (identity.Kind == VaultIdentityKind.User)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddEmailAddress(identity.Name);
            request.CertificateExtensions.Add(names.Build());
        }

        return request;
    }
}
