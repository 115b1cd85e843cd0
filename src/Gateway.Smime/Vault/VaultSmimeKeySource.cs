using System.Collections.Concurrent;
using Gateway.Smime.Cms;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Vault;

/// <summary>
/// The key vault as the S/MIME operations see it: signing keys by sender address (the user's own entry, else the
/// domain's), decryption keys by the CMS recipient identifier. A sealed vault answers null like a missing key, as
/// <see cref="ISmimeKeySource"/> says; callers that must tell the two apart (to defer instead of giving up) ask
/// <see cref="KeyVault.IsSealed"/>.
/// </summary>
/// <remarks>
/// Keys opened once stay open here until the vault is sealed: decrypting an entry and importing its key costs far
/// more than the signature it is used for. Vault entries are never replaced, so an opened key cannot go stale; only
/// the set of entries grows (also from the command line, in another process), which is why misses are not
/// remembered and the certificate index is rebuilt when the entries folder changes.
/// <note type="security">Sealing drops every opened key at once (<see cref="KeyVault.SealStateChanged"/>); a key
/// opened under an earlier unseal is never kept.</note>
/// </remarks>
public sealed class VaultSmimeKeySource : ISmimeKeySource, IDisposable
{
    private readonly KeyVault _vault;
    private OpenedKeys _opened;

    public VaultSmimeKeySource(KeyVault vault)
    {
        ArgumentNullException.ThrowIfNull(vault);
        _vault = vault;
        _opened = new OpenedKeys(vault.Generation);
        _vault.SealStateChanged += OnSealStateChanged;
    }

    public async ValueTask<SigningKeyLease?> FindSigningKeyAsync(string senderAddress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(senderAddress);
        if (_vault.IsSealed)
        {
            return null;
        }

        foreach (var candidate in Candidates(senderAddress))
        {
            var key = await OpenAsync(candidate, cancellationToken).ConfigureAwait(false);
            if (key is not null)
            {
                return new SigningKeyLease(key.PrivateKey, key.Chain, candidate.Name, key.Release, key.Native);
            }
        }

        return null;
    }

    public async ValueTask<RecipientKeyLease?> FindRecipientKeyAsync(RecipientIdentity recipient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        if (_vault.IsSealed)
        {
            return null;
        }

        var index = await CertificateIndexAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (identity, certificate) in index.Certificates)
        {
            if (!InMemorySmimeKeySource.Matches(recipient, certificate))
            {
                continue;
            }

            var key = await OpenAsync(identity, cancellationToken).ConfigureAwait(false);
            return key is null ? null : new RecipientKeyLease(key.PrivateKey, certificate, identity.Name, key.Release, key.Native);
        }

        return null;
    }

    public void Dispose()
    {
        _vault.SealStateChanged -= OnSealStateChanged;
        Interlocked.Exchange(ref _opened, new OpenedKeys(long.MinValue)).Dispose();
    }

    /// <summary>The user's own entry first, then the domain's (issue: "the sender's key, else the domain key").</summary>
    private static IEnumerable<VaultIdentity> Candidates(string address)
    {
        if (VaultIdentity.TryParse(address, out var user, out _))
        {
            yield return user;
        }

        var at = address.LastIndexOf('@');
        if (at >= 0 && VaultIdentity.TryParse(address[(at + 1)..], out var domain, out _))
        {
            yield return domain;
        }
    }

    private void OnSealStateChanged(object? sender, EventArgs e) =>
        Interlocked.Exchange(ref _opened, new OpenedKeys(_vault.Generation)).Dispose();

    /// <summary>The opened key of an entry: from the cache, else from the vault (and then cached if still current).</summary>
    private async Task<OpenedKey?> OpenAsync(VaultIdentity identity, CancellationToken ct)
    {
        var opened = Volatile.Read(ref _opened);
        if (opened.Keys.TryGetValue(identity.Name, out var cached))
        {
            return cached;
        }

        VaultKeyLease? lease;
        try
        {
            lease = await _vault.OpenPrivateKeyAsync(identity, ct).ConfigureAwait(false);
        }
        catch (VaultSealedException)
        {
            // Sealed between the check and the use: the same answer as sealed before.
            return null;
        }

        if (lease is null)
        {
            return null;
        }

        OpenedKey key;
        using (lease)
        {
            var chain = lease.Chain.Count > 0 ? lease.Chain.Select(c => ToBouncyCastle(c.RawData)).ToList() : [ToBouncyCastle(lease.Certificate.RawData)];
            key = new OpenedKey(lease.BouncyCastleKey, chain, NativeKeyPool.For(lease.BouncyCastleKey));
        }

        // Kept only if no seal or unseal happened meanwhile; otherwise it serves this one operation and goes.
        if (opened.Generation == _vault.Generation && ReferenceEquals(opened, Volatile.Read(ref _opened)) && opened.Keys.TryAdd(identity.Name, key))
        {
            return key;
        }

        return key.OneShot();
    }

    private async Task<CertificateIndex> CertificateIndexAsync(CancellationToken ct)
    {
        var opened = Volatile.Read(ref _opened);
        var changed = _vault.EntriesChangedUtc;
        if (opened.Index is { } index && index.EntriesChangedUtc == changed)
        {
            return index;
        }

        var certificates = new List<(VaultIdentity, X509Certificate)>();
        foreach (var entry in await _vault.ListAsync(ct).ConfigureAwait(false))
        {
            var chain = await _vault.FindCertificateChainAsync(entry.Identity, ct).ConfigureAwait(false);
            if (chain is not { Count: > 0 })
            {
                continue;
            }

            certificates.Add((entry.Identity, ToBouncyCastle(chain[0].RawData)));
            foreach (var item in chain)
            {
                item.Dispose();
            }
        }

        index = new CertificateIndex(changed, certificates);
        opened.Index = index;
        return index;
    }

    private static X509Certificate ToBouncyCastle(byte[] der) => new X509CertificateParser().ReadCertificate(der);

    /// <summary>Keys opened under one unseal (<see cref="Generation"/>), and the index of entry certificates.</summary>
    private sealed class OpenedKeys(long generation) : IDisposable
    {
        public long Generation { get; } = generation;

        public ConcurrentDictionary<string, OpenedKey> Keys { get; } = new(StringComparer.OrdinalIgnoreCase);

        public CertificateIndex? Index { get; set; }

        public void Dispose()
        {
            foreach (var key in Keys.Values)
            {
                key.Native?.Dispose();
            }
            Keys.Clear();
        }
    }

    private sealed class OpenedKey(AsymmetricKeyParameter privateKey, IReadOnlyList<X509Certificate> chain, NativeKeyPool? native, bool disposeAfterUse = false)
    {
        public AsymmetricKeyParameter PrivateKey { get; } = privateKey;

        public IReadOnlyList<X509Certificate> Chain { get; } = chain;

        public NativeKeyPool? Native { get; } = native;

        /// <summary>What a lease calls when it ends: cached keys stay, a one-shot key frees its platform copies.</summary>
        public Action? Release => disposeAfterUse ? () => Native?.Dispose() : null;

        public OpenedKey OneShot() => new(PrivateKey, Chain, Native, disposeAfterUse: true);
    }

    /// <summary>Entry certificates as of one state of the entries folder; certificates are public.</summary>
    private sealed record CertificateIndex(DateTime EntriesChangedUtc, IReadOnlyList<(VaultIdentity Identity, X509Certificate Certificate)> Certificates);
}
