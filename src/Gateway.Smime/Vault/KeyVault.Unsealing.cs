using System.Security.Cryptography;
using Gateway.Smime.Audit;
using Gateway.Smime.Escrow;
using Gateway.Smime.Vault.Sealers;

namespace Gateway.Smime.Vault;

public sealed partial class KeyVault
{
    /// <summary>Unseals with officer shares (at least the threshold, as typed by the officers).</summary>
    public Task UnsealWithSharesAsync(IReadOnlyList<string> shares, string actor, CancellationToken cancellationToken) =>
        UnsealAsync(SealerEntry.Shamir, actor, record => OpenWithShares(record, shares), cancellationToken);

    /// <summary>Unseals with the unattended unseal-key file (must be mode 0600 or stricter).</summary>
    public Task UnsealWithKeyFileAsync(string keyFilePath, string actor, CancellationToken cancellationToken) =>
        UnsealAsync(SealerEntry.KeyFile, actor, record =>
        {
            var key = KeyFileSealer.Read(keyFilePath);
            try
            {
                var entry = record.Find(SealerEntry.KeyFile, KeyFileSealer.KeyId(key))
                    ?? throw new VaultException($"'{keyFilePath}' is not an unseal key of this vault");
                return SoftwareWrap.Unwrap(entry, record.VaultId, key);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }, cancellationToken);

    /// <summary>Unseals by asking the PKCS#11 token to decrypt the master key.</summary>
    public Task UnsealWithTokenAsync(Pkcs11TokenOptions token, string actor, CancellationToken cancellationToken) =>
        UnsealAsync(SealerEntry.Pkcs11, actor, record =>
        {
            var entry = record.Find(SealerEntry.Pkcs11, token.SealLabel)
                ?? throw new VaultException($"this vault is not sealed to token '{token.TokenLabel}' key '{token.KeyLabel}'");
            return Pkcs11Sealer.Unseal(token, record.VaultId, entry);
        }, cancellationToken);

    /// <summary>Adds an unattended unseal-key file (created new, mode 0600) as a further way to unseal.</summary>
    public Task AddKeyFileSealerAsync(string keyFilePath, string actor, CancellationToken cancellationToken) =>
        AddSealerAsync(actor, (master, record) =>
        {
            var key = KeyFileSealer.Create(keyFilePath);
            try
            {
                return SoftwareWrap.Wrap(SealerEntry.KeyFile, KeyFileSealer.KeyId(key), record.VaultId, key, master.Bytes);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }, cancellationToken);

    /// <summary>Adds a PKCS#11 token (its AES key is created on the token when missing) as a further way to unseal.</summary>
    public Task AddTokenSealerAsync(Pkcs11TokenOptions token, string actor, CancellationToken cancellationToken) =>
        AddSealerAsync(actor, (master, record) => Pkcs11Sealer.Seal(token, record.VaultId, master.Bytes), cancellationToken);

    /// <summary>
    /// Combines shares into the key-encryption key and unwraps the master key. Shares are checked against
    /// the record's set and threshold first, so a share of another vault is named as such; the GCM tag
    /// then decides, so shares that combine to anything else never open the vault.
    /// </summary>
    private static MasterKey OpenWithShares(SealRecord record, IReadOnlyList<string> texts)
    {
        var shares = new List<ShamirShare>(texts.Count);
        try
        {
            for (var i = 0; i < texts.Count; i++)
            {
                try
                {
                    shares.Add(ShamirShare.Parse(texts[i]));
                }
                catch (ShareException e)
                {
                    throw new ShareException($"share #{i + 1}: {e.Message}", e);
                }
            }

            foreach (var share in shares)
            {
                if (share.SetId != record.ShareSetId || share.Threshold != record.Threshold)
                {
                    throw new ShareException($"{share} does not belong to this vault (its shares are set {record.ShareSetId}, threshold {record.Threshold})");
                }
            }

            var entry = record.Find(SealerEntry.Shamir, record.ShareSetId)
                ?? throw new VaultIntegrityException("the seal record has no share entry");
            var kek = ShamirSecretSharing.Combine(shares);
            try
            {
                return SoftwareWrap.Unwrap(entry, record.VaultId, kek);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(kek);
            }
        }
        finally
        {
            foreach (var share in shares)
            {
                share.Dispose();
            }
        }
    }

    private async Task UnsealAsync(string kind, string actor, Func<SealRecord, MasterKey> open, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!IsSealed)
            {
                return;
            }

            var (master, record) = await OpenRecordAsync(kind, actor, open, cancellationToken);
            Replace(master, record);
            await Audit.AppendAsync(new AuditRecord(actor, AuditActions.VaultUnseal, record.VaultId, new Dictionary<string, string> { ["sealer"] = kind }), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Reads seal.json, opens the master key with one sealer and authenticates the record with it. A
    /// refusal is audited (sealer and reason, which never contain secrets) before it is rethrown.
    /// </summary>
    private async Task<(MasterKey Master, SealRecord Record)> OpenRecordAsync(string kind, string actor, Func<SealRecord, MasterKey> open, CancellationToken cancellationToken)
    {
        if (!IsInitialized)
        {
            throw new VaultException($"no vault in {_directory}");
        }

        var (record, body, mac) = SealRecord.Parse(await File.ReadAllBytesAsync(SealPath, cancellationToken));
        MasterKey? master = null;
        try
        {
            master = open(record);
            SealRecord.Authenticate(body, mac, master, record.VaultId);
            return (master, record);
        }
        catch (Exception e) when (e is VaultException or ShareException or IOException or UnauthorizedAccessException)
        {
            master?.Dispose();
            await Audit.AppendAsync(new AuditRecord(actor, AuditActions.VaultUnsealRefused, record.VaultId, new Dictionary<string, string>
            {
                ["sealer"] = kind,
                ["reason"] = e.Message,
            }), cancellationToken);
            throw;
        }
    }

    private async Task AddSealerAsync(string actor, Func<MasterKey, SealRecord, SealerEntry> seal, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var (master, record) = RequireUnsealed();
            var entry = seal(master, record);
            var updated = record.WithSealer(entry);
            await AtomicFile.WriteAsync(SealPath, updated.Serialize(master), cancellationToken);
            _record = updated;
            await Audit.AppendAsync(new AuditRecord(actor, AuditActions.SealerAdd, record.VaultId, new Dictionary<string, string>
            {
                ["sealer"] = entry.Kind,
                ["label"] = entry.Label,
            }), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
