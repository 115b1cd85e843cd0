using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Gateway.Authentication.Dkim;

/// <summary>
/// Hands MimeKit the key we already fetched and checked, so each signature costs exactly one DNS question and the
/// key rules (size, type, flags) are ours, not MimeKit's.
/// </summary>
internal sealed class FixedKeyLocator(AsymmetricKeyParameter key) : IDkimPublicKeyLocator
{
    public AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) => key;

    public Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        Task.FromResult(key);
}
