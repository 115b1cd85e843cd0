using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Smime.Audit;

namespace Gateway.Smime.Vault;

public sealed partial class KeyVault
{
    // RFC 7292 files from elsewhere are untrusted input: the loader's default limits bound their cost.
    private const X509KeyStorageFlags ImportFlags = X509KeyStorageFlags.EphemeralKeySet | X509KeyStorageFlags.Exportable;

    /// <summary>
    /// Escrows the key and chain of a PKCS#12 file. For a user identity the certificate must name the
    /// address (rfc822Name or emailAddress), so a key cannot be escrowed under someone else's name. An
    /// existing entry is never replaced: escrowed keys are what old mail is decrypted with.
    /// </summary>
    public async Task<VaultEntryInfo> ImportAsync(VaultIdentity identity, ReadOnlyMemory<byte> pkcs12, string? password, string actor, CancellationToken cancellationToken)
    {
        X509Certificate2Collection collection;
        try
        {
            collection = X509CertificateLoader.LoadPkcs12Collection(pkcs12.Span, password, ImportFlags);
        }
        catch (CryptographicException e)
        {
            throw new VaultException("the PKCS#12 file cannot be read (wrong password or not PKCS#12)", e);
        }

        try
        {
            var leaf = collection.FirstOrDefault(c => c.HasPrivateKey)
                ?? throw new VaultException("the PKCS#12 file holds no private key");
            CertificateNames.RequireNames(leaf, identity);
            IReadOnlyList<byte[]> chain = [leaf.RawData, .. collection.Where(c => !ReferenceEquals(c, leaf)).Select(c => c.RawData)];
            var pkcs8 = PrivateKeyCodec.ExportPkcs8(leaf);
            try
            {
                return await StoreAsync(identity, "imported", AuditActions.KeyImport, chain, pkcs8, actor, cancellationToken);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
        finally
        {
            foreach (var certificate in collection)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>Generates a key pair with a self-signed S/MIME certificate and escrows it.</summary>
    public async Task<VaultEntryInfo> GenerateAsync(VaultIdentity identity, VaultKeyAlgorithm algorithm, string actor, CancellationToken cancellationToken)
    {
        RequireUnsealedNow();
        var (certificate, pkcs8) = SmimeCertificateFactory.Create(identity, algorithm, _time.GetUtcNow());
        try
        {
            return await StoreAsync(identity, "generated", AuditActions.KeyGenerate, [certificate], pkcs8, actor, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>Every entry, sorted by identity; works while sealed.</summary>
    public async Task<IReadOnlyList<VaultEntryInfo>> ListAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(EntriesPath))
        {
            return [];
        }

        var entries = new List<VaultEntryInfo>();
        foreach (var file in Directory.EnumerateFiles(EntriesPath, "*.json"))
        {
            var entry = VaultEntry.Parse(await File.ReadAllBytesAsync(file, cancellationToken), Path.GetFileName(file));
            entries.Add(entry.Describe());
        }

        return [.. entries.OrderBy(e => e.Identity.Name, StringComparer.Ordinal)];
    }

    /// <summary>The certificate chain (leaf first) of an entry, or null; works while sealed (see <see cref="VaultEntry"/> on what that trusts).</summary>
    public async Task<X509Certificate2Collection?> FindCertificateChainAsync(VaultIdentity identity, CancellationToken cancellationToken) =>
        (await ReadEntryAsync(identity, cancellationToken))?.LoadChain();

    /// <summary>
    /// Lends the private key of an entry while the vault is unsealed; null when there is no entry.
    /// Throws <see cref="VaultSealedException"/> when sealed, so callers defer rather than skip signing.
    /// </summary>
    public async Task<VaultKeyLease?> OpenPrivateKeyAsync(VaultIdentity identity, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var (master, record) = RequireUnsealed();
            var entry = await ReadEntryAsync(identity, cancellationToken);
            return entry is null ? null : Lend(entry, master, record.VaultId);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static VaultKeyLease Lend(VaultEntry entry, MasterKey master, string vaultId)
    {
        var entryKey = master.Derive("entry-encryption", vaultId);
        byte[]? pkcs8 = null;
        try
        {
            pkcs8 = entry.OpenKey(entryKey, vaultId);
            return VaultKeyLease.Open(entry, pkcs8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(entryKey);
            if (pkcs8 is not null)
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
    }

    /// <summary>Writes a new entry (never over an existing one) and records <paramref name="action"/> with the certificate, key type and <paramref name="details"/>.</summary>
    internal async Task<VaultEntryInfo> StoreAsync(VaultIdentity identity, string origin, string action, IReadOnlyList<byte[]> chain, byte[] pkcs8, string actor, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? details = null)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var (master, record) = RequireUnsealed();
            var path = EntryPath(identity);
            if (File.Exists(path))
            {
                throw new VaultException($"the vault already holds a key for {identity}");
            }

            var entryKey = master.Derive("entry-encryption", record.VaultId);
            VaultEntry entry;
            try
            {
                entry = VaultEntry.Seal(identity, origin, _time.GetUtcNow(), chain, pkcs8, entryKey, record.VaultId);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(entryKey);
            }

            // Prove the stored key decrypts and matches its certificate before the caller relies on it.
            Lend(entry, master, record.VaultId).Dispose();
            await AtomicFile.WriteAsync(path, entry.Serialize(), cancellationToken);
            var info = entry.Describe();
            var recorded = new Dictionary<string, string>(details ?? new Dictionary<string, string>())
            {
                ["certificate"] = info.Sha256Thumbprint,
                ["algorithm"] = info.KeyAlgorithm,
            };
            await Audit.AppendAsync(new AuditRecord(actor, action, identity.Name, recorded), cancellationToken);
            return info;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<VaultEntry?> ReadEntryAsync(VaultIdentity identity, CancellationToken cancellationToken)
    {
        var path = EntryPath(identity);
        if (!File.Exists(path))
        {
            return null;
        }

        var entry = VaultEntry.Parse(await File.ReadAllBytesAsync(path, cancellationToken), Path.GetFileName(path));
        if (entry.Identity != identity)
        {
            throw new VaultIntegrityException($"the entry file for {identity} holds {entry.Identity}");
        }

        return entry;
    }

    private string EntryPath(VaultIdentity identity) => Path.Combine(EntriesPath, identity.FileStem() + ".json");

    private void RequireUnsealedNow()
    {
        if (IsSealed)
        {
            throw new VaultSealedException("the key vault is sealed");
        }
    }
}
