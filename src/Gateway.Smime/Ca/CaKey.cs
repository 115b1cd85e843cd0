using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Smime.Vault;

namespace Gateway.Smime.Ca;

/// <summary>The CA certificate bound to its private key, for the length of one issue or CRL; dispose promptly.</summary>
internal sealed class CaKey : IDisposable
{
    private CaKey(X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        Certificate = certificate;
        Key = key;
    }

    public X509Certificate2 Certificate { get; }

    public AsymmetricAlgorithm Key { get; }

    public static CaKey Open(byte[] certificate, ReadOnlySpan<byte> pkcs8)
    {
        using var plain = X509CertificateLoader.LoadCertificate(certificate);
        var key = PrivateKeyCodec.Import(plain, pkcs8);
        try
        {
            return new CaKey(PrivateKeyCodec.Attach(plain, key), key);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new VaultIntegrityException("the CA key does not match the CA certificate", e);
        }
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }
}
