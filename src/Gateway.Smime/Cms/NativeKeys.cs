using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Pkcs;

namespace Gateway.Smime.Cms;

/// <summary>
/// Hands a private key from BouncyCastle's form (as the vault leases it) to the platform's OpenSSL-backed RSA and
/// ECDsa, which do the private-key operation several times faster than BouncyCastle's managed arithmetic. The key
/// crosses over as PKCS#8 in a buffer that is zeroed at once; the caller disposes the returned object.
/// </summary>
internal static class NativeKeys
{
    public static RSA Rsa(AsymmetricKeyParameter key)
    {
        var pkcs8 = PrivateKeyInfoFactory.CreatePrivateKeyInfo(key).GetEncoded();
        try
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return rsa;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    public static ECDsa Ecdsa(AsymmetricKeyParameter key)
    {
        var pkcs8 = PrivateKeyInfoFactory.CreatePrivateKeyInfo(key).GetEncoded();
        try
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return ecdsa;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }
}
