using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace Gateway.Smime.Cms;

/// <summary>
/// Keys held in memory: for tests and for callers that already hold unsealed keys. The vault implements
/// <see cref="ISmimeKeySource"/> itself; this one has no sealing and no audit.
/// </summary>
public sealed class InMemorySmimeKeySource : ISmimeKeySource
{
    // Platform copies live as long as the source; their native memory is freed when they are collected.
    private readonly Dictionary<string, (AsymmetricKeyParameter Key, IReadOnlyList<X509Certificate> Chain, NativeKeyPool? Native)> _signing =
        new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(AsymmetricKeyParameter Key, X509Certificate Certificate, string Name, NativeKeyPool? Native)> _recipients = [];
    private readonly Lock _gate = new();

    /// <summary>Adds a signing key for an address ("user@example.com") or a whole domain ("example.com").</summary>
    public void AddSigningKey(string addressOrDomain, AsymmetricKeyParameter key, IReadOnlyList<X509Certificate> chain)
    {
        lock (_gate)
        {
            _signing[addressOrDomain] = (key, chain, NativeKeyPool.For(key));
        }
    }

    public void AddRecipientKey(string name, AsymmetricKeyParameter key, X509Certificate certificate)
    {
        lock (_gate)
        {
            _recipients.Add((key, certificate, name, NativeKeyPool.For(key)));
        }
    }

    public ValueTask<SigningKeyLease?> FindSigningKeyAsync(string senderAddress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(senderAddress);
        cancellationToken.ThrowIfCancellationRequested();
        var at = senderAddress.LastIndexOf('@');
        var domain = at >= 0 ? senderAddress[(at + 1)..] : senderAddress;
        lock (_gate)
        {
            // The sender's own key wins over the domain key (issue 12: "the sender's key, else the domain key").
            if (_signing.TryGetValue(senderAddress, out var own))
            {
                return ValueTask.FromResult<SigningKeyLease?>(new SigningKeyLease(own.Key, own.Chain, senderAddress, nativeKeys: own.Native));
            }
            if (_signing.TryGetValue(domain, out var domainKey))
            {
                return ValueTask.FromResult<SigningKeyLease?>(new SigningKeyLease(domainKey.Key, domainKey.Chain, "domain " + domain, nativeKeys: domainKey.Native));
            }
        }
        return ValueTask.FromResult<SigningKeyLease?>(null);
    }

    public ValueTask<RecipientKeyLease?> FindRecipientKeyAsync(RecipientIdentity recipient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            foreach (var (key, certificate, name, native) in _recipients)
            {
                if (Matches(recipient, certificate))
                {
                    return ValueTask.FromResult<RecipientKeyLease?>(new RecipientKeyLease(key, certificate, name, nativeKeys: native));
                }
            }
        }
        return ValueTask.FromResult<RecipientKeyLease?>(null);
    }

    /// <summary>RFC 5652 6.2.1: issuer+serial must both match; a subject key identifier matches the SKI extension.</summary>
    public static bool Matches(RecipientIdentity recipient, X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(certificate);
        if (recipient.IssuerAndSerial is { } ias)
        {
            return certificate.IssuerDN.Equivalent(ias.Issuer) && certificate.SerialNumber.Equals(ias.SerialNumber.Value);
        }
        if (recipient.SubjectKeyIdentifier is { } ski)
        {
            var extension = certificate.GetExtensionValue(Org.BouncyCastle.Asn1.X509.X509Extensions.SubjectKeyIdentifier);
            if (extension is null)
            {
                return false;
            }
            var own = X509ExtensionUtilities.FromExtensionValue(extension);
            return own is Org.BouncyCastle.Asn1.Asn1OctetString octets && octets.GetOctets().AsSpan().SequenceEqual(ski);
        }
        return false;
    }
}
