using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Cms;

/// <summary>
/// A signing key lent for one operation: the private key, the signer's certificate first and then the
/// intermediates to include (the root is left out; receivers have their own anchors).
/// </summary>
public sealed class SigningKeyLease : IDisposable
{
    private readonly Action? _release;
    private AsymmetricKeyParameter? _privateKey;

    public SigningKeyLease(AsymmetricKeyParameter privateKey, IReadOnlyList<X509Certificate> chain, string keyName, Action? release = null, NativeKeyPool? nativeKeys = null)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Count == 0)
        {
            throw new ArgumentException("The chain must start with the signer's certificate.", nameof(chain));
        }
        _privateKey = privateKey;
        Chain = chain;
        KeyName = keyName;
        _release = release;
        NativeKeys = nativeKeys;
    }

    /// <summary>Platform copies of the same key kept by the key source, or null to import one per use.</summary>
    public NativeKeyPool? NativeKeys { get; }

    /// <summary>Throws after disposal so a leaked lease cannot be used later.</summary>
    public AsymmetricKeyParameter PrivateKey => _privateKey ?? throw new ObjectDisposedException(nameof(SigningKeyLease));

    public IReadOnlyList<X509Certificate> Chain { get; }

    public X509Certificate Certificate => Chain[0];

    /// <summary>A name for logs and headers (e.g. "user@example.com" or "domain example.com"); never key material.</summary>
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
