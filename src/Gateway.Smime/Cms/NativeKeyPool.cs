using System.Collections.Concurrent;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Smime.Cms;

/// <summary>
/// Platform (OpenSSL) copies of one private key, kept while the key source keeps the key, so a signature or an
/// unwrap does not pay the import again: importing an RSA key validates it (the primes are tested), which costs
/// several times the private-key operation itself. One copy per concurrent user, because the platform's key
/// objects are not documented as safe for concurrent use.
/// </summary>
public sealed class NativeKeyPool : IDisposable
{
    private readonly AsymmetricKeyParameter _key;
    private readonly ConcurrentBag<AsymmetricAlgorithm> _idle = [];
    private volatile bool _disposed;

    public NativeKeyPool(AsymmetricKeyParameter key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.IsPrivate || key is not (RsaKeyParameters or ECPrivateKeyParameters))
        {
            throw new ArgumentException($"Only RSA and EC private keys have a platform form, not {key.GetType().Name}.", nameof(key));
        }
        _key = key;
    }

    /// <summary>A pool for <paramref name="key"/>, or null for a key type the platform path does not take.</summary>
    public static NativeKeyPool? For(AsymmetricKeyParameter key) =>
        key is { IsPrivate: true } and (RsaKeyParameters or ECPrivateKeyParameters) ? new NativeKeyPool(key) : null;

    public bool IsRsa => _key is RsaKeyParameters;

    /// <summary>A platform key for one operation; give it back with <see cref="Return"/>.</summary>
    public AsymmetricAlgorithm Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var key))
        {
            return key;
        }
        return IsRsa ? NativeKeys.Rsa(_key) : NativeKeys.Ecdsa(_key);
    }

    public void Return(AsymmetricAlgorithm key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_disposed)
        {
            key.Dispose();
            return;
        }
        _idle.Add(key);
        // A dispose that ran between the check and the add would otherwise leave this copy alive.
        if (_disposed)
        {
            DisposeIdle();
        }
    }

    /// <summary>Frees the idle copies now and every rented one when it comes back.</summary>
    public void Dispose()
    {
        _disposed = true;
        DisposeIdle();
    }

    private void DisposeIdle()
    {
        while (_idle.TryTake(out var key))
        {
            key.Dispose();
        }
    }
}
