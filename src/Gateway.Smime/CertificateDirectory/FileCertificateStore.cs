using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Smime.Cms;
using Gateway.Smime.Vault;
using Microsoft.Extensions.Logging;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Gateway.Smime.CertificateDirectory;

/// <summary>
/// A directory of recipient certificates, one per file (DER or PEM): what administrators import and what is
/// harvested from validated inbound signed mail. Our own files are named by the SHA-256 fingerprint and origin
/// (<c>&lt;sha256&gt;.harvest.der</c>), written atomically; files an administrator drops in under any name are
/// read too. What a harvested signer advertised in its signature's smimeCapabilities (RFC 8551 2.5.2) is kept
/// beside the certificate in <c>&lt;sha256&gt;.capabilities</c>, so a correspondent whose software reads
/// AES-256-GCM gets it even though their certificate does not say so. The address index is built on first use
/// and the directory listed again whenever someone else changes it, so a certificate an administrator copies in is
/// used, and one removed is no longer used, from the next lookup on, without a restart; only new or changed files are
/// parsed again. What the store writes itself goes into the index as it is written: harvesting a certificate does not
/// make the next lookup list a directory of up to <see cref="FileCertificateStoreOptions.MaxCertificates"/> files.
/// Telling others' changes from ours takes a <see cref="DirectoryWatch"/>; where there can be none (not Linux, not a
/// local file system, no inotify instance left) the store follows the directory's modification time, which our own
/// writes change too, so there each of them is followed by a listing.
/// </summary>
public sealed class FileCertificateStore : ICertificateDirectory, IDisposable
{
    private readonly FileCertificateStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, List<BcCertificate>> _byAddress = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _fingerprints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RecipientCapabilities> _advertised = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BcCertificate> _certificates = new(StringComparer.Ordinal);
    private Dictionary<string, StoredFile> _files = new(StringComparer.Ordinal);
    private DateTime? _directoryWritten;
    private DirectoryWatch? _watch;
    private bool _unwatched;
    private bool _listingOwed = true;
    private int _listings;

    public FileCertificateStore(FileCertificateStoreOptions options, TimeProvider time, ILogger<FileCertificateStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxCertificates);
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many times the directory was listed: once at first use, then once per change by someone else.</summary>
    internal int Listings => Volatile.Read(ref _listings);

    /// <summary>How many certificates the index holds (loading it if needed).</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            return _fingerprints.Count;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<SmimeRecipient>> FindAsync(string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            return _byAddress.TryGetValue(address, out var candidates)
                ? EncryptionCertificateRules.Select(candidates, address, _time.GetUtcNow(), Advertised)
                : [];
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Stores a recipient certificate. Refuses what could never be encrypted to (expired, CA, no address) and
    /// anything beyond the configured count; the caller decides beforehand whether the certificate deserves
    /// trust (harvest takes only signers that verified).
    /// </summary>
    public Task<CertificateStoreAddResult> AddAsync(X509Certificate2 certificate, CertificateOrigin origin, CancellationToken cancellationToken) =>
        AddAsync(certificate, origin, RecipientCapabilities.None, cancellationToken);

    /// <summary>Harvests a valid signer from <see cref="SmimeVerifyResult.HarvestedCertificates"/>, with what its signature advertised.</summary>
    public async Task<CertificateStoreAddResult> AddHarvestedAsync(SmimeRecipient signer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signer);

        // Awaited inside the using: the add reads the certificate again after waiting for the lock.
        using var certificate = X509CertificateLoader.LoadCertificate(signer.Certificate.GetEncoded());
        return await AddAsync(certificate, CertificateOrigin.Harvest, signer.Capabilities, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="AddAsync(X509Certificate2, CertificateOrigin, CancellationToken)"/>, remembering what the holder
    /// advertised; for a certificate already stored, newly advertised capabilities are added to what is known.
    /// </summary>
    public async Task<CertificateStoreAddResult> AddAsync(X509Certificate2 certificate, CertificateOrigin origin, RecipientCapabilities advertised,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(advertised);
        var parsed = new BcCertificate(certificate.RawData);
        // Not yet valid is kept (an import ahead of a rollover); lookups skip it until its notBefore.
        if (parsed.NotAfter < _time.GetUtcNow().UtcDateTime)
        {
            return CertificateStoreAddResult.Expired;
        }

        if (EncryptionCertificateRules.IsCa(parsed))
        {
            return CertificateStoreAddResult.CaCertificate;
        }

        if (EncryptionCertificateRules.Addresses(parsed).Count == 0)
        {
            return CertificateStoreAddResult.NoAddress;
        }

        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            if (_fingerprints.Contains(fingerprint))
            {
                await RememberAdvertisedAsync(fingerprint, advertised, cancellationToken).ConfigureAwait(false);
                return CertificateStoreAddResult.Duplicate;
            }

            if (_fingerprints.Count >= _options.MaxCertificates)
            {
                DirectoryLog.StoreFull(_logger, _options.Directory, _options.MaxCertificates);
                return CertificateStoreAddResult.StoreFull;
            }

            var name = $"{fingerprint}.{(origin == CertificateOrigin.Harvest ? "harvest" : "import")}.der";
            await WriteOwnAsync(name, certificate.RawData, new StoredFile(default, 0, fingerprint, null), cancellationToken).ConfigureAwait(false);
            await RememberAdvertisedAsync(fingerprint, advertised, cancellationToken).ConfigureAwait(false);
            _certificates[fingerprint] = parsed;
            Index(fingerprint, parsed);
            return CertificateStoreAddResult.Added;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _watch?.Dispose();
        _gate.Dispose();
    }

    /// <summary>
    /// Lists the directory again when someone else changed it since the last look: as the watch says, or else when its
    /// modification time changed (a file added, removed or renamed in place changes it). Files seen before with the
    /// same time and length are not parsed again.
    /// </summary>
    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_options.Directory);
        if (Watch() is { } watch)
        {
            Note(watch.Drain(null));
        }

        if (_watch is not null)
        {
            if (_listingOwed)
            {
                await ListAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        // Taken before the listing: a change made while it runs is read at the next lookup, never lost.
        var written = Directory.GetLastWriteTimeUtc(_options.Directory);
        if (!_listingOwed && _directoryWritten == written)
        {
            return;
        }

        await ListAsync(cancellationToken).ConfigureAwait(false);

        // A file system with coarse time stamps gives a second change within the same tick the same time: a directory
        // changed moments ago is listed again at the next lookup until its time is safely in the past. The system clock
        // here, not _time: this compares with the file system's own time stamps, which a test clock does not move.
        _directoryWritten = DateTime.UtcNow - written > RacyInterval ? written : null;
    }

    /// <summary>The directory's watch, started at first use (before the first listing, so that nothing slips between).</summary>
    private DirectoryWatch? Watch()
    {
        if (_watch is null && !_unwatched)
        {
            var problem = "not asked to";
            _watch = _options.Watch ? DirectoryWatch.TryStart(_options.Directory, out problem) : null;
            if (_watch is null)
            {
                _unwatched = true;
                DirectoryLog.NotWatched(_logger, _options.Directory, problem ?? "unknown");
            }

            _listingOwed = true;
        }

        return _watch;
    }

    /// <summary>Owes a listing for others' changes; a broken watch hands over to the modification time.</summary>
    private void Note(DirectoryChanges changes)
    {
        if (changes == DirectoryChanges.None)
        {
            return;
        }

        _listingOwed = true;
        if (changes == DirectoryChanges.Broken)
        {
            _watch!.Dispose();
            _watch = null;
            _unwatched = true;
            DirectoryLog.NotWatched(_logger, _options.Directory, "the watch was lost");
        }
    }

    /// <summary>
    /// Writes one of the store's own files and puts it into the file list as written, so that it does not count as a
    /// change of the directory. Others' changes since the last look are noted on the way (the queue holds them, in order,
    /// before ours).
    /// </summary>
    private async Task WriteOwnAsync(string name, byte[] content, StoredFile stored, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_options.Directory, name);
        try
        {
            await AtomicFile.WriteAsync(path, content, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The file may be in place (the directory sync failed after the rename) without being in memory.
            _listingOwed = true;
            throw;
        }
        finally
        {
            if (_watch is not null)
            {
                Note(_watch.Drain(name));
            }
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            // Removed by someone else the moment it was written: the queue says so, and the listing drops it.
            _listingOwed = true;
            return;
        }

        _files[name] = stored with { Written = info.LastWriteTimeUtc, Length = info.Length };
    }

    /// <summary>Lists the directory, clearing the debt first: a change made while it runs is owed again, and so is a listing that fails.</summary>
    private async Task ListAsync(CancellationToken cancellationToken)
    {
        _listingOwed = false;
        try
        {
            await ListFilesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _listingOwed = true;
            throw;
        }
    }

    private async Task ListFilesAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _listings);
        var next = new Dictionary<string, StoredFile>(StringComparer.Ordinal);
        foreach (var info in new DirectoryInfo(_options.Directory).EnumerateFiles())
        {
            // Dot files are AtomicFile's temporaries, left behind only by a crash mid-write.
            if (info.Name.StartsWith('.'))
            {
                continue;
            }

            if (_files.TryGetValue(info.Name, out var known) && known.Written == info.LastWriteTimeUtc && known.Length == info.Length)
            {
                next[info.Name] = known;
                continue;
            }

            next[info.Name] = await ReadFileAsync(info, cancellationToken).ConfigureAwait(false);
        }

        _files = next;
        Rebuild();
    }

    private async Task<StoredFile> ReadFileAsync(FileInfo info, CancellationToken cancellationToken)
    {
        try
        {
            if (info.Name.EndsWith(CapabilitiesExtension, StringComparison.Ordinal))
            {
                var text = Encoding.UTF8.GetString(await _options.ReadFile(info.FullName, cancellationToken).ConfigureAwait(false)).TrimStart('\uFEFF');
                return new StoredFile(info.LastWriteTimeUtc, info.Length, null, ParseCapabilities(text));
            }

            var bytes = await _options.ReadFile(info.FullName, cancellationToken).ConfigureAwait(false);
            using var certificate = X509CertificateLoader.LoadCertificate(bytes);
            var fingerprint = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
            if (!_certificates.ContainsKey(fingerprint))
            {
                _certificates[fingerprint] = new BcCertificate(certificate.RawData);
            }

            return new StoredFile(info.LastWriteTimeUtc, info.Length, fingerprint, null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            // Logged once per change of the file, not at every lookup: it is remembered with its time and length. A
            // file the gateway's user may not read (copied in with the wrong owner or mode) is skipped like a broken
            // one; let through, it would fail every lookup until fixed.
            DirectoryLog.UnreadableCertificate(_logger, info.FullName, e.Message);
            return new StoredFile(info.LastWriteTimeUtc, info.Length, null, null);
        }
    }

    /// <summary>The address index and the advertised capabilities, from the files now in the directory.</summary>
    private void Rebuild()
    {
        var present = _files.Values.Select(f => f.Fingerprint).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _certificates.Keys.Where(k => !present.Contains(k)).ToList())
        {
            _certificates.Remove(gone);
        }

        _fingerprints.Clear();
        _byAddress.Clear();
        foreach (var (fingerprint, certificate) in _certificates)
        {
            Index(fingerprint, certificate);
        }

        _advertised.Clear();
        foreach (var (name, file) in _files)
        {
            if (file.Capabilities is { } capabilities)
            {
                _advertised[name[..^CapabilitiesExtension.Length]] = capabilities;
            }
        }
    }

    private static readonly TimeSpan RacyInterval = TimeSpan.FromSeconds(2);

    private const string CapabilitiesExtension = ".capabilities";

    private RecipientCapabilities Advertised(BcCertificate certificate) =>
        _advertised.GetValueOrDefault(Convert.ToHexStringLower(SHA256.HashData(certificate.GetEncoded())), RecipientCapabilities.None);

    /// <summary>Capabilities only ever grow: a correspondent who once advertised GCM keeps software that reads it.</summary>
    private async Task RememberAdvertisedAsync(string fingerprint, RecipientCapabilities advertised, CancellationToken cancellationToken)
    {
        var known = _advertised.GetValueOrDefault(fingerprint, RecipientCapabilities.None);
        var merged = new RecipientCapabilities(known.Aes256Gcm || advertised.Aes256Gcm, known.RsaOaep || advertised.RsaOaep);
        if (merged == known)
        {
            return;
        }

        var text = string.Join(' ', new[] { merged.Aes256Gcm ? "aes256-gcm" : null, merged.RsaOaep ? "rsa-oaep" : null }.OfType<string>()) + "\n";
        await WriteOwnAsync(fingerprint + CapabilitiesExtension, System.Text.Encoding.ASCII.GetBytes(text), new StoredFile(default, 0, null, merged), cancellationToken)
            .ConfigureAwait(false);
        _advertised[fingerprint] = merged;
    }

    private static RecipientCapabilities ParseCapabilities(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return new RecipientCapabilities(words.Contains("aes256-gcm"), words.Contains("rsa-oaep"));
    }

    private void Index(string fingerprint, BcCertificate certificate)
    {
        if (!_fingerprints.Add(fingerprint))
        {
            return;
        }

        foreach (var address in EncryptionCertificateRules.Addresses(certificate))
        {
            if (!_byAddress.TryGetValue(address, out var list))
            {
                list = [];
                _byAddress[address] = list;
            }

            list.Add(certificate);
        }
    }

    /// <summary>One file of the directory as last read: a certificate (its fingerprint), capabilities, or neither (unreadable).</summary>
    private sealed record StoredFile(DateTime Written, long Length, string? Fingerprint, RecipientCapabilities? Capabilities);
}
