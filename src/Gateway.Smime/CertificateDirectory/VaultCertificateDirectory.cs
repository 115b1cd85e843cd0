using Gateway.Smime.Cms;
using Gateway.Smime.Vault;

namespace Gateway.Smime.CertificateDirectory;

/// <summary>
/// Certificates of our own users' escrowed keys. Readable while the vault is sealed, since encrypting needs
/// only the public certificate; only the user's own entry counts (a domain key is no one's mailbox).
/// </summary>
public sealed class VaultCertificateDirectory : ICertificateDirectory
{
    private readonly KeyVault _vault;
    private readonly TimeProvider _time;

    public VaultCertificateDirectory(KeyVault vault, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(time);
        _vault = vault;
        _time = time;
    }

    public async Task<IReadOnlyList<SmimeRecipient>> FindAsync(string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!VaultIdentity.TryParse(address, out var identity, out _) || identity.Kind != VaultIdentityKind.User)
        {
            return [];
        }

        var chain = await _vault.FindCertificateChainAsync(identity, cancellationToken).ConfigureAwait(false);
        if (chain is null || chain.Count == 0)
        {
            return [];
        }

        try
        {
            // The leaf comes first in an entry's chain.
            var leaf = new Org.BouncyCastle.X509.X509Certificate(chain[0].RawData);
            return EncryptionCertificateRules.Select([leaf], address, _time.GetUtcNow());
        }
        finally
        {
            foreach (var certificate in chain)
            {
                certificate.Dispose();
            }
        }
    }
}
