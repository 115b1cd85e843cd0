using System.Security.Cryptography.X509Certificates;
using Gateway.Smime.Audit;
using Gateway.Smime.Vault.Sealers;

namespace Gateway.Smime.Vault;

public sealed partial class KeyVault
{
    /// <summary>
    /// Hands an escrowed key out of the vault as PKCS#12 (PBES2, AES-256, SHA-256) protected by
    /// <paramref name="exportPassword"/>. It always needs the threshold of officer shares, even when the
    /// vault is unsealed: unsealing lets the gateway use keys, recovery lets a person take one away, and
    /// the second must not follow from the first. Granted and refused recoveries are both audited.
    /// </summary>
    public async Task<byte[]> RecoverAsync(VaultIdentity identity, IReadOnlyList<string> shares, string exportPassword, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(exportPassword);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var (master, record) = await OpenRecordAsync(SealerEntry.Shamir, actor, r => OpenWithShares(r, shares), cancellationToken);
            using (master)
            {
                var entry = await ReadEntryAsync(identity, cancellationToken);
                if (entry is null)
                {
                    await Audit.AppendAsync(new AuditRecord(actor, AuditActions.KeyRecoverRefused, identity.Name, new Dictionary<string, string> { ["reason"] = "no such entry" }), cancellationToken);
                    throw new VaultException($"the vault holds no key for {identity}");
                }

                byte[] pkcs12;
                using (var lease = Lend(entry, master, record.VaultId))
                {
                    var collection = new X509Certificate2Collection(lease.Certificate);
                    collection.AddRange(lease.Chain.Skip(1).ToArray());
                    pkcs12 = collection.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, exportPassword);
                }

                await Audit.AppendAsync(new AuditRecord(actor, AuditActions.KeyRecover, identity.Name, new Dictionary<string, string>
                {
                    ["certificate"] = entry.Describe().Sha256Thumbprint,
                    ["shares"] = shares.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }), cancellationToken);
                return pkcs12;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
