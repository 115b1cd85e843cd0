using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Cms;

/// <summary>A decryption key lent for one operation, with the certificate it belongs to.</summary>
public sealed class RecipientKeyLease : IDisposable
{
    private readonly Action? _release;
    private AsymmetricKeyParameter? _privateKey;

    public RecipientKeyLease(AsymmetricKeyParameter privateKey, X509Certificate certificate, string keyName, Action? release = null, NativeKeyPool? nativeKeys = null)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(certificate);
        _privateKey = privateKey;
        Certificate = certificate;
        KeyName = keyName;
        _release = release;
        NativeKeys = nativeKeys;
    }

    /// <summary>Platform copies of the same key kept by the key source, or null to import one per use.</summary>
    public NativeKeyPool? NativeKeys { get; }

    public AsymmetricKeyParameter PrivateKey => _privateKey ?? throw new ObjectDisposedException(nameof(RecipientKeyLease));

    public X509Certificate Certificate { get; }

    /// <summary>A name for logs and the "decrypted with" header; never key material.</summary>
    public string KeyName { get; }

    public void Dispose()
    {
        if (_privateKey is not null)
        {
            _privateKey = null;
            _release?.Invoke();
        }
    }
}
