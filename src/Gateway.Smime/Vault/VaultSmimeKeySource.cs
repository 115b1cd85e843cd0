using Gateway.Smime.Cms;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Vault;

/// <summary>
/// The key vault as the S/MIME operations see it: signing keys by sender address (the user's own entry, else the
/// domain's), decryption keys by the CMS recipient identifier. A sealed vault answers null like a missing key, as
/// <see cref="ISmimeKeySource"/> says; callers that must tell the two apart (to defer instead of giving up) ask
/// <see cref="KeyVault.IsSealed"/>.
/// </summary>
public sealed class VaultSmimeKeySource : ISmimeKeySource
{
    private readonly KeyVault _vault;

    public VaultSmimeKeySource(KeyVault vault)
    {
        ArgumentNullException.ThrowIfNull(vault);
        _vault = vault;
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
            var lease = await OpenAsync(candidate, cancellationToken).ConfigureAwait(false);
            if (lease is not null)
            {
                var chain = lease.Chain.Count > 0 ? lease.Chain.Select(ToBouncyCastle).ToList() : [ToBouncyCastle(lease.Certificate)];
                return new SigningKeyLease(lease.BouncyCastleKey, chain, candidate.Name, lease.Dispose);
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

        // Certificates are public and few per gateway: matching them one by one keeps the vault's index simple.
        foreach (var entry in await _vault.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            var chain = await _vault.FindCertificateChainAsync(entry.Identity, cancellationToken).ConfigureAwait(false);
            if (chain is not { Count: > 0 })
            {
                continue;
            }

            var certificate = ToBouncyCastle(chain[0]);
            foreach (var item in chain)
            {
                item.Dispose();
            }

            if (!InMemorySmimeKeySource.Matches(recipient, certificate))
            {
                continue;
            }

            var lease = await OpenAsync(entry.Identity, cancellationToken).ConfigureAwait(false);
            return lease is null ? null : new RecipientKeyLease(lease.BouncyCastleKey, certificate, entry.Identity.Name, lease.Dispose);
        }

        return null;
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

    private async Task<VaultKeyLease?> OpenAsync(VaultIdentity identity, CancellationToken ct)
    {
        try
        {
            return await _vault.OpenPrivateKeyAsync(identity, ct).ConfigureAwait(false);
        }
        catch (VaultSealedException)
        {
            // Sealed between the check and the use: the same answer as sealed before.
            return null;
        }
    }

    private static X509Certificate ToBouncyCastle(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        new X509CertificateParser().ReadCertificate(certificate.RawData);
}
