using System.Globalization;
using System.Security.Cryptography;
using Gateway.Smime.Audit;
using Gateway.Smime.Escrow;
using Gateway.Smime.Vault.Sealers;

namespace Gateway.Smime.Vault;

/// <summary>
/// The escrow vault in one directory: seal.json (how the master key is sealed), entries/ (one encrypted
/// private key and certificate chain per user or domain) and audit.log (hash-chained record of every
/// initialisation, unseal, seal, generation, import and recovery). The master key exists in memory only
/// between an unseal and the next seal or dispose.
/// </summary>
/// <remarks>
/// Threading: operations are serialised by one async gate; file formats are rewritten atomically, so a
/// second process (the CLI) sees either the old or the new file. Security: messages and ToString never
/// carry key material; every buffer that held a key is zeroed before it is released.
/// </remarks>
public sealed partial class KeyVault : IDisposable
{
    private const string SealFileName = "seal.json";
    private const string EntriesFolder = "entries";
    private const string AuditFileName = "audit.log";

    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MasterKey? _master;
    private SealRecord? _record;
    private long _generation;

    public KeyVault(string directory, TimeProvider time)
    {
        _directory = Path.GetFullPath(directory);
        _time = time;
        Audit = new AuditLog(Path.Combine(_directory, AuditFileName), time);
    }

    /// <summary>The vault's audit log, for <c>audit verify</c> and for entries the host records itself (policy changes).</summary>
    public AuditLog Audit { get; }

    public bool IsInitialized => File.Exists(SealPath);

    public bool IsSealed => Volatile.Read(ref _master) is null;

    /// <summary>
    /// Changes whenever the vault is sealed or unsealed, so holders of opened keys can tell that what they hold
    /// belongs to an earlier unseal and must be dropped.
    /// </summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Raised after every seal and unseal (on the thread that did it); see <see cref="Generation"/>.</summary>
    public event EventHandler? SealStateChanged;

    /// <summary>When the set of entries last changed on disk (also by another process, such as the command line).</summary>
    internal DateTime EntriesChangedUtc => Directory.Exists(EntriesPath) ? Directory.GetLastWriteTimeUtc(EntriesPath) : DateTime.MinValue;

    private string SealPath => Path.Combine(_directory, SealFileName);

    private string EntriesPath => Path.Combine(_directory, EntriesFolder);

    /// <summary>
    /// Creates the vault: a random master key, wrapped under a random key-encryption key that is split into
    /// <paramref name="shareCount"/> shares of which <paramref name="threshold"/> unseal. Returns the shares
    /// once; they are not stored anywhere. The vault is left unsealed, so sealers can be added next.
    /// </summary>
    public async Task<VaultInitialization> InitializeAsync(int shareCount, int threshold, string actor, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (IsInitialized)
            {
                throw new VaultException($"a vault already exists in {_directory}");
            }

            CreatePrivateDirectory(_directory);
            CreatePrivateDirectory(EntriesPath);
            var vaultId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            var master = MasterKey.Generate();
            // Splitting a key-encryption key rather than the master key itself lets officers be re-keyed
            // (new shares) by rewrapping 32 bytes, and lets a wrong combination fail on the GCM tag
            // instead of producing a plausible but wrong master key.
            var kek = GC.AllocateArray<byte>(MasterKey.Length, pinned: true);
            RandomNumberGenerator.Fill(kek);
            IReadOnlyList<ShamirShare> shares;
            SealRecord record;
            try
            {
                shares = ShamirSecretSharing.Split(kek, threshold, shareCount);
                var wrapped = SoftwareWrap.Wrap(SealerEntry.Shamir, shares[0].SetId, vaultId, kek, master.Bytes);
                record = new SealRecord(vaultId, _time.GetUtcNow(), shares[0].SetId, threshold, shareCount, [wrapped]);
                await AtomicFile.WriteAsync(SealPath, record.Serialize(master), cancellationToken);
            }
            catch
            {
                master.Dispose();
                throw;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(kek);
            }

            Replace(master, record);
            await Audit.AppendAsync(new AuditRecord(actor, AuditActions.VaultInitialize, vaultId, new Dictionary<string, string>
            {
                ["shares"] = shareCount.ToString(CultureInfo.InvariantCulture),
                ["threshold"] = threshold.ToString(CultureInfo.InvariantCulture),
                ["shareSet"] = record.ShareSetId,
            }), cancellationToken);
            return new VaultInitialization(vaultId, shares);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<VaultStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        if (!IsInitialized)
        {
            return new VaultStatus(false, true, null, 0, 0, []);
        }

        var (record, _, _) = SealRecord.Parse(await File.ReadAllBytesAsync(SealPath, cancellationToken));
        return new VaultStatus(true, IsSealed, record.VaultId, record.Threshold, record.ShareCount, [.. record.Sealers.Select(s => s.Describe())]);
    }

    /// <summary>Forgets the master key: keys can no longer be used until the next unseal.</summary>
    public async Task SealAsync(string actor, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var record = _record;
            if (IsSealed || record is null)
            {
                return;
            }

            Replace(null, null);
            await Audit.AppendAsync(new AuditRecord(actor, AuditActions.VaultSeal, record.VaultId), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        Replace(null, null);
        _gate.Dispose();
        Audit.Dispose();
    }

    public override string ToString() => $"key vault {_directory} ({(IsSealed ? "sealed" : "unsealed")})";

    private void Replace(MasterKey? master, SealRecord? record)
    {
        var previous = Interlocked.Exchange(ref _master, master);
        previous?.Dispose();
        _record = record;
        Interlocked.Increment(ref _generation);
        SealStateChanged?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>The master key and record, or VaultSealedException; call under the gate.</summary>
    private (MasterKey Master, SealRecord Record) RequireUnsealed()
    {
        var master = _master;
        var record = _record;
        if (master is null || record is null)
        {
            throw new VaultSealedException("the key vault is sealed");
        }

        return (master, record);
    }

    internal static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
