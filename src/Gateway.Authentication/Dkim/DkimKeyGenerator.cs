using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace Gateway.Authentication.Dkim;

/// <summary>Creates DKIM signing keys and the DNS records that publish them (for <c>gateway dkim keygen</c>).</summary>
public static class DkimKeyGenerator
{
    // RFC 8301 3.2: signers MUST use at least 1024 bits and SHOULD use 2048.
    private const int MinimumRsaBits = 1024;
    private const int MaximumRsaBits = 4096;

    // RFC 1035 3.3.14: one character-string holds at most 255 octets.
    private const int MaxCharacterString = 255;

    /// <summary>An RSA key (rsa-sha256): "v=DKIM1; k=rsa; p=&lt;SubjectPublicKeyInfo base64&gt;" (RFC 6376 3.6.1).</summary>
    public static DkimGeneratedKey GenerateRsa(int bits = 2048)
    {
        // Verifiers only have to handle up to 4096 bits (RFC 8301 3.2); larger keys may not verify anywhere.
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, MinimumRsaBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, MaximumRsaBits);
        using var rsa = RSA.Create(bits);
        var pem = rsa.ExportPkcs8PrivateKeyPem();
        var publicKey = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
        return new DkimGeneratedKey(DkimSigningAlgorithm.RsaSha256, pem + "\n", "v=DKIM1; k=rsa; p=" + publicKey);
    }

    /// <summary>An Ed25519 key (ed25519-sha256): "v=DKIM1; k=ed25519; p=&lt;32-byte raw key base64&gt;" (RFC 8463 4.2).</summary>
    public static DkimGeneratedKey GenerateEd25519()
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var privateKey = (Ed25519PrivateKeyParameters)pair.Private;
        var publicKey = (Ed25519PublicKeyParameters)pair.Public;
        var der = PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey).GetDerEncoded();
        var pem = new string(PemEncoding.Write("PRIVATE KEY", der)) + "\n";
        return new DkimGeneratedKey(DkimSigningAlgorithm.Ed25519Sha256, pem, "v=DKIM1; k=ed25519; p=" + Convert.ToBase64String(publicKey.GetEncoded()));
    }

    /// <summary>Splits a TXT value into quoted zone-file character-strings of at most 255 octets.</summary>
    public static string FormatTxtForZone(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i += MaxCharacterString)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append('"');
            foreach (var c in value.AsSpan(i, Math.Min(MaxCharacterString, value.Length - i)))
            {
                // RFC 1035 5.1: quote and backslash are escaped inside a quoted string.
                if (c is '"' or '\\')
                {
                    builder.Append('\\');
                }

                builder.Append(c);
            }

            builder.Append('"');
        }

        return builder.ToString();
    }
}
