using System.Security.Cryptography;
using Gateway.Authentication.Dkim;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Gateway.Authentication.Tests.Dkim;

/// <summary>Keys generated once per test run (RSA generation is slow); tests never share mutable state through them.</summary>
internal static class TestKeys
{
    private static readonly Lazy<DkimGeneratedKey> RsaKey = new(() => DkimKeyGenerator.GenerateRsa(2048));
    private static readonly Lazy<DkimGeneratedKey> EdKey = new(DkimKeyGenerator.GenerateEd25519);

    public static DkimGeneratedKey Rsa => RsaKey.Value;

    public static DkimGeneratedKey Ed25519 => EdKey.Value;

    public static DkimSigningKey RsaSigningKey(string domain = "example.com", string selector = "rsa1") =>
        DkimSigningKey.FromPem(domain, selector, Rsa.PrivateKeyPem);

    public static DkimSigningKey EdSigningKey(string domain = "example.com", string selector = "ed1") =>
        DkimSigningKey.FromPem(domain, selector, Ed25519.PrivateKeyPem);

    /// <summary>A BouncyCastle RSA pair of any size (MimeKit's signer accepts weak keys, which our signer refuses).</summary>
    public static AsymmetricCipherKeyPair BouncyRsa(int bits)
    {
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(Org.BouncyCastle.Math.BigInteger.ValueOf(65537), new SecureRandom(), bits, 25));
        return generator.GenerateKeyPair();
    }

    public static string TxtFor(AsymmetricKeyParameter publicKey)
    {
        if (publicKey is Ed25519PublicKeyParameters ed)
        {
            return "v=DKIM1; k=ed25519; p=" + Convert.ToBase64String(ed.GetEncoded());
        }

        var spki = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey).GetDerEncoded();
        return "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(spki);
    }

    /// <summary>The PKCS#1 PEM python-dkim wants for RSA.</summary>
    public static string Pkcs1Pem(string pkcs8Pem)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pkcs8Pem);
        return rsa.ExportRSAPrivateKeyPem() + "\n";
    }
}
