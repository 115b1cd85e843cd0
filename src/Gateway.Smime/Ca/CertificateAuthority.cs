using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Smime.Audit;
using Gateway.Smime.Vault;

namespace Gateway.Smime.Ca;

/// <summary>
/// The internal certificate authority: one root per vault, kept in the vault's <c>ca/</c> folder with its
/// private key sealed under the master key like every entry (<see cref="CaRecord"/>), a database of what it
/// issued and revoked (<see cref="CaIndex"/>), and v2 CRLs written to <c>&lt;ca-id&gt;.crl</c> for the admin
/// endpoint to serve. Issuing, revoking and CRL signing use the CA key and so need an unsealed vault;
/// reading the CA certificate does not. Init, issue, revoke and every CRL are written to the audit log.
/// </summary>
/// <remarks>
/// Issuing never replaces an escrowed key: an identity that already has a vault entry is refused, because
/// that key is what its old mail is decrypted with (the vault keeps one key per identity).
/// </remarks>
public sealed class CertificateAuthority : IDisposable
{
    private const string Folder = "ca";
    private const string RecordFileName = "ca.json";
    private const string IndexFileName = "index.json";
    private const string LockFileName = ".lock";

    private readonly KeyVault _vault;
    private readonly TimeProvider _time;
    private readonly CertificateAuthorityOptions _options;
    private readonly string _directory;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public CertificateAuthority(KeyVault vault, TimeProvider time, CertificateAuthorityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vault);
        _vault = vault;
        _time = time;
        _options = options ?? new CertificateAuthorityOptions();
        _directory = Path.Combine(vault.DirectoryPath, Folder);
        CrlDirectory = Path.GetFullPath(_options.CrlDirectory ?? Path.Combine(vault.DirectoryPath, "..", "crl"));
    }

    /// <summary>Where the CRLs are written, one <c>&lt;ca-id&gt;.crl</c> (DER) per CA.</summary>
    public string CrlDirectory { get; }

    public bool IsInitialized => File.Exists(RecordPath);

    private string RecordPath => Path.Combine(_directory, RecordFileName);

    private string IndexPath => Path.Combine(_directory, IndexFileName);

    /// <summary>
    /// Creates the CA: a new key (sealed in the vault), a self-signed root valid for <paramref name="validity"/>
    /// and an empty first CRL. <paramref name="crlBaseUrl"/> is where <c>&lt;ca-id&gt;.crl</c> will be
    /// published (e.g. <c>http://mx.example.org:8025/smime/crl/</c>). Refused when a CA exists.
    /// </summary>
    public async Task<CaInfo> InitAsync(string subjectName, CaKeyAlgorithm algorithm, TimeSpan validity, Uri crlBaseUrl, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(crlBaseUrl);
        if (!crlBaseUrl.IsAbsoluteUri || crlBaseUrl.Scheme is not ("http" or "https"))
        {
            // RFC 5280 4.2.1.13: relying parties fetch CRLs by HTTP (S/MIME BR 7.1.2.3: http only).
            throw new VaultException("the CRL base URL must be an absolute http(s) URL");
        }

        var subject = new X500DistinguishedName(subjectName);
        var baseUrl = crlBaseUrl.AbsoluteUri.EndsWith('/') ? crlBaseUrl : new Uri(crlBaseUrl.AbsoluteUri + "/");
        using var locked = await LockAsync(cancellationToken);
        if (IsInitialized)
        {
            throw new VaultException($"a CA already exists in {_directory}");
        }

        KeyVault.CreatePrivateDirectory(_directory);
        var now = _time.GetUtcNow();
        var caId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        using var key = SmimeProfile.CreateKey(algorithm);
        using var root = SmimeProfile.CreateRoot(subject, key, now, validity);
        var pkcs8 = PrivateKeyCodec.ExportPkcs8(key);
        CaRecord record;
        try
        {
            record = await _vault.WithSubkeyAsync(CaRecord.KeyPurpose, (subkey, vaultId) => CaRecord.Seal(caId, now, baseUrl, root.RawData, pkcs8, subkey, vaultId), cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }

        await AtomicFile.WriteAsync(IndexPath, CaIndex.Empty().Serialize(), cancellationToken);
        await AtomicFile.WriteAsync(RecordPath, record.Serialize(), cancellationToken);
        var info = Describe(record);
        await _vault.Audit.AppendAsync(new AuditRecord(actor, AuditActions.CaInitialize, caId, new Dictionary<string, string>
        {
            ["subject"] = info.Subject,
            ["certificate"] = info.Sha256Thumbprint,
            ["algorithm"] = algorithm.ToString(),
            ["crl"] = info.CrlUrl.AbsoluteUri,
        }), cancellationToken);
        await WriteCrlAsync(record, actor, cancellationToken);
        return info;
    }

    /// <summary>The CA, or null before <see cref="InitAsync"/>; works while sealed.</summary>
    public async Task<CaInfo?> GetInfoAsync(CancellationToken cancellationToken) =>
        IsInitialized ? Describe(await ReadRecordAsync(cancellationToken)) : null;

    /// <summary>
    /// Generates a key for a mailbox, issues its S/MIME certificate and escrows key and chain (leaf, CA) in
    /// the vault. Refused for an identity that already has an entry (its key stays; see the class remarks).
    /// </summary>
    public async Task<IssuedCertificate> IssueAsync(VaultIdentity identity, VaultKeyAlgorithm algorithm, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (identity.Kind != VaultIdentityKind.User)
        {
            // S/MIME BR 7.1.2.3: a mailbox certificate names a mailbox (rfc822Name); a domain has none.
            throw new VaultException($"the CA issues to mailboxes (user@domain); {identity} is a domain");
        }

        using var locked = await LockAsync(cancellationToken);
        var record = await ReadRecordAsync(cancellationToken);
        if (await _vault.FindCertificateChainAsync(identity, cancellationToken) is { } existing)
        {
            foreach (var certificate in existing)
            {
                certificate.Dispose();
            }

            throw new VaultException($"the vault already holds a key for {identity}; escrowed keys are never replaced (old mail is decrypted with them)");
        }

        using var ca = await OpenCaAsync(record, cancellationToken);
        using var key = SmimeCertificateFactory.CreateKey(algorithm);
        using var leaf = SmimeProfile.Issue(identity, key, ca.Certificate, ca.Key, record.CrlUrl, _time.GetUtcNow(), _options.CertificateValidity);
        var serial = CaIndex.CanonicalSerial(leaf.SerialNumber);

        // The index learns of the certificate first: a crash before the vault write leaves a serial nobody
        // holds a key for, never a certificate the CA cannot revoke.
        var index = await ReadIndexAsync(cancellationToken);
        index.AddIssued(serial, identity.Name, new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero));
        await AtomicFile.WriteAsync(IndexPath, index.Serialize(), cancellationToken);

        var pkcs8 = PrivateKeyCodec.ExportPkcs8(key);
        try
        {
            var entry = await _vault.StoreAsync(identity, "issued", AuditActions.CaIssue, [leaf.RawData, ca.Certificate.RawData], pkcs8, actor, cancellationToken, new Dictionary<string, string>
            {
                ["ca"] = record.CaId,
                ["serial"] = serial,
            });
            return new IssuedCertificate(entry, serial, record.CrlUrl);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>Revokes the CA-issued certificate of an identity's vault entry (see <see cref="RevokeSerialAsync"/>).</summary>
    public async Task<Revocation> RevokeAsync(VaultIdentity identity, X509RevocationReason reason, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var chain = await _vault.FindCertificateChainAsync(identity, cancellationToken)
            ?? throw new VaultException($"the vault holds no key for {identity}");
        string serial;
        try
        {
            serial = CaIndex.CanonicalSerial(chain[0].SerialNumber);
        }
        finally
        {
            foreach (var certificate in chain)
            {
                certificate.Dispose();
            }
        }

        return await RevokeSerialAsync(serial, reason, actor, cancellationToken);
    }

    /// <summary>
    /// Records a revocation durably (index rewritten and fsync'd), audits it, then signs a new CRL. The key
    /// stays in escrow: revoking stops others trusting the certificate, it does not lose old mail. Refused
    /// while sealed, for a serial this CA did not issue, and for one already revoked.
    /// </summary>
    public async Task<Revocation> RevokeSerialAsync(string serialNumber, X509RevocationReason reason, string actor, CancellationToken cancellationToken)
    {
        var serial = CaIndex.CanonicalSerial(serialNumber);
        using var locked = await LockAsync(cancellationToken);
        var record = await ReadRecordAsync(cancellationToken);

        // The CRL that publishes the revocation needs the CA key: check before recording anything.
        using (await OpenCaAsync(record, cancellationToken))
        {
        }

        var index = await ReadIndexAsync(cancellationToken);
        var identity = index.FindIdentity(serial) ?? throw new VaultException($"CA {record.CaId} issued no certificate with serial {serial}");
        var now = _time.GetUtcNow();
        if (!index.Revoke(serial, now, reason))
        {
            throw new VaultException($"the certificate {serial} of {identity} is already revoked");
        }

        await AtomicFile.WriteAsync(IndexPath, index.Serialize(), cancellationToken);
        await _vault.Audit.AppendAsync(new AuditRecord(actor, AuditActions.CaRevoke, identity, new Dictionary<string, string>
        {
            ["ca"] = record.CaId,
            ["serial"] = serial,
            ["reason"] = reason.ToString(),
        }), cancellationToken);
        await WriteCrlAsync(record, actor, cancellationToken);
        return new Revocation(serial, identity, now, reason);
    }

    /// <summary>Signs and writes a new CRL with the next CRL number; run daily and after each revocation.</summary>
    public async Task<CrlInfo> GenerateCrlAsync(string actor, CancellationToken cancellationToken)
    {
        using var locked = await LockAsync(cancellationToken);
        return await WriteCrlAsync(await ReadRecordAsync(cancellationToken), actor, cancellationToken);
    }

    /// <summary>The path of the latest CRL of a CA, whether or not it exists yet.</summary>
    public string CrlPath(string caId) => Path.Combine(CrlDirectory, caId + ".crl");

    public void Dispose() => _gate.Dispose();

    public override string ToString() => $"internal CA in {_directory}";

    /// <summary>Call under the lock.</summary>
    private async Task<CrlInfo> WriteCrlAsync(CaRecord record, string actor, CancellationToken cancellationToken)
    {
        using var ca = await OpenCaAsync(record, cancellationToken);
        var index = await ReadIndexAsync(cancellationToken);
        var revocations = index.Revocations.ToList();
        var builder = new CertificateRevocationListBuilder();
        foreach (var revocation in revocations)
        {
            // RFC 5280 5.3.1: the reason code is omitted rather than given as unspecified.
            builder.AddEntry(Convert.FromHexString(revocation.SerialNumber.Length % 2 == 0 ? revocation.SerialNumber : "0" + revocation.SerialNumber),
                revocation.RevokedAt, revocation.Reason == X509RevocationReason.Unspecified ? null : revocation.Reason);
        }

        // The number is taken (and made durable) before the CRL is written: a crash never reuses one.
        index.CrlNumber++;
        await AtomicFile.WriteAsync(IndexPath, index.Serialize(), cancellationToken);
        var thisUpdate = _time.GetUtcNow();
        var nextUpdate = thisUpdate + _options.CrlValidity;
        var crl = builder.Build(ca.Certificate, new BigInteger(index.CrlNumber), nextUpdate, HashAlgorithmName.SHA256,
            ca.Key is RSA ? RSASignaturePadding.Pkcs1 : null, thisUpdate);
        Directory.CreateDirectory(CrlDirectory);
        var path = CrlPath(record.CaId);
        await AtomicFile.WriteAsync(path, crl, cancellationToken);
        await _vault.Audit.AppendAsync(new AuditRecord(actor, AuditActions.CaCrl, record.CaId, new Dictionary<string, string>
        {
            ["number"] = index.CrlNumber.ToString(CultureInfo.InvariantCulture),
            ["revoked"] = revocations.Count.ToString(CultureInfo.InvariantCulture),
            ["nextUpdate"] = nextUpdate.ToString("O", CultureInfo.InvariantCulture),
        }), cancellationToken);
        return new CrlInfo(path, index.CrlNumber, thisUpdate, nextUpdate, revocations.Count);
    }

    private async Task<CaKey> OpenCaAsync(CaRecord record, CancellationToken cancellationToken)
    {
        var pkcs8 = await _vault.WithSubkeyAsync(CaRecord.KeyPurpose, (subkey, vaultId) => record.OpenKey(subkey, vaultId), cancellationToken);
        try
        {
            return CaKey.Open(record.Certificate, pkcs8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private async Task<CaRecord> ReadRecordAsync(CancellationToken cancellationToken)
    {
        if (!IsInitialized)
        {
            throw new VaultException("there is no CA in this vault yet (ca init creates it)");
        }

        return CaRecord.Parse(await File.ReadAllBytesAsync(RecordPath, cancellationToken));
    }

    private async Task<CaIndex> ReadIndexAsync(CancellationToken cancellationToken) =>
        CaIndex.Parse(await File.ReadAllBytesAsync(IndexPath, cancellationToken));

    private static CaInfo Describe(CaRecord record)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(record.Certificate);
        return new CaInfo(
            record.CaId,
            certificate.Subject,
            Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256)),
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            record.CrlUrl,
            record.Certificate);
    }

    private async Task<Held> LockAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!Directory.Exists(_vault.DirectoryPath))
            {
                throw new VaultException($"there is no vault in {_vault.DirectoryPath}");
            }

            KeyVault.CreatePrivateDirectory(_directory);
            return new Held(_gate, await CaLock.AcquireAsync(Path.Combine(_directory, LockFileName), cancellationToken));
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    /// <summary>The in-process gate and the cross-process file lock, released together.</summary>
    private sealed class Held(SemaphoreSlim gate, CaLock fileLock) : IDisposable
    {
        public void Dispose()
        {
            fileLock.Dispose();
            gate.Release();
        }
    }
}
