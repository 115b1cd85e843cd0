using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Smime.Vault;

/// <summary>
/// Moves private keys between PKCS#8 bytes (how entries store them) and the key objects callers use.
/// Every PKCS#8 buffer this class creates is returned to a caller that zeroes it.
/// </summary>
internal static class PrivateKeyCodec
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    /// <summary>The key object for the certificate's key type, imported from PKCS#8.</summary>
    public static AsymmetricAlgorithm Import(X509Certificate2 certificate, ReadOnlySpan<byte> pkcs8)
    {
        AsymmetricAlgorithm key = certificate.PublicKey.Oid.Value switch
        {
            RsaOid => RSA.Create(),
            EcOid => ECDsa.Create(),
            var other => throw new VaultException($"unsupported key algorithm {other}"),
        };
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>A copy of the certificate bound to its private key; fails when the key is not the certificate's.</summary>
    public static X509Certificate2 Attach(X509Certificate2 certificate, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => certificate.CopyWithPrivateKey(rsa),
        ECDsa ecdsa => certificate.CopyWithPrivateKey(ecdsa),
        _ => throw new VaultException("unsupported key algorithm"),
    };

    /// <summary>PKCS#8 of the certificate's private key, in a pinned buffer.</summary>
    public static byte[] ExportPkcs8(X509Certificate2 certificate)
    {
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey()
            ?? (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey()
            ?? throw new VaultException("the certificate's private key is neither RSA nor EC");
        return ExportPkcs8(key);
    }

    public static byte[] ExportPkcs8(AsymmetricAlgorithm key)
    {
        // Export into a pinned buffer sized by a first try, so no unpinned copy of the key is left to the GC.
        var size = 4096;
        while (true)
        {
            var buffer = GC.AllocateArray<byte>(size, pinned: true);
            if (key.TryExportPkcs8PrivateKey(buffer, out var written))
            {
                var exact = GC.AllocateArray<byte>(written, pinned: true);
                buffer.AsSpan(0, written).CopyTo(exact);
                CryptographicOperations.ZeroMemory(buffer);
                return exact;
            }

            CryptographicOperations.ZeroMemory(buffer);
            size *= 2;
        }
    }
}
