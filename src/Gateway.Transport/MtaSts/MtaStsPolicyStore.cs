using System.Text.Json;
using Gateway.Syntax;
using Microsoft.Extensions.Logging;

namespace Gateway.Transport.MtaSts;

/// <summary>
/// The policy cache of one node: a directory (the host passes "&lt;state&gt;/mta-sts") with one JSON file per
/// domain, "&lt;domain&gt;.json", mirrored in memory. Each file is replaced atomically: written to a temporary
/// file, fsync'd, renamed over the old one, so a crash leaves the old policy or the new one, never half of
/// either. A file that cannot be read or parsed is logged and ignored: the worst it costs is a refetch.
/// </summary>
/// <remarks>
/// The directory itself is not fsync'd after the rename: if power fails in that instant the previous policy
/// (or none) comes back, and a policy is refetched as soon as the TXT id says it changed.
/// </remarks>
public sealed class MtaStsPolicyStore : IMtaStsPolicyCache
{
    private const string Extension = ".json";
    private const string TempExtension = ".tmp";

    /// <summary>A policy is at most 64 KiB; its JSON escaping and the envelope fit well within 1 MiB.</summary>
    private const long MaxFileBytes = 1024 * 1024;

    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MtaStsCachedPolicy> _entries = new(StringComparer.Ordinal);

    private MtaStsPolicyStore(string directory, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
    }

    public IReadOnlyList<MtaStsCachedPolicy> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries.Values];
            }
        }
    }

    /// <summary>Creates the directory when missing and loads every cached policy in it.</summary>
    public static async Task<MtaStsPolicyStore> OpenAsync(string directory, ILogger<MtaStsPolicyStore> logger, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(logger);
        Directory.CreateDirectory(directory);
        var store = new MtaStsPolicyStore(directory, logger);
        await store.LoadAsync(ct).ConfigureAwait(false);
        return store;
    }

    /// <summary>
    /// The cached policies in a directory, read without changing anything (for `gateway mta-sts cache` beside a
    /// running gateway: its temporary files are left alone, a missing directory is an empty cache).
    /// </summary>
    public static async Task<IReadOnlyList<MtaStsCachedPolicy>> ReadEntriesAsync(string directory, ILogger logger, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(logger);
        var store = new MtaStsPolicyStore(directory, logger);
        if (Directory.Exists(directory))
        {
            await store.ReadFilesAsync(ct).ConfigureAwait(false);
        }

        return [.. store.Entries.OrderBy(e => e.Domain, StringComparer.Ordinal)];
    }

    public MtaStsCachedPolicy? Get(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        lock (_gate)
        {
            return _entries.GetValueOrDefault(domain);
        }
    }

    public async ValueTask SaveAsync(MtaStsCachedPolicy entry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var path = PathFor(entry.Domain);
        var file = new MtaStsPolicyFile(MtaStsPolicyFile.CurrentFormat, entry.Domain, entry.PolicyId, entry.Policy.Text, entry.FetchedAt, entry.ExpiresAt);

        // Dot-prefixed and unique, so two writers never share a temporary file and a load never takes one for a policy.
        var temp = Path.Combine(_directory, $".{entry.Domain}.{Guid.NewGuid():N}{TempExtension}");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, file, MtaStsJsonContext.Default.MtaStsPolicyFile, ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        lock (_gate)
        {
            _entries[entry.Domain] = entry;
        }
    }

    public ValueTask RemoveAsync(string domain, CancellationToken ct)
    {
        var path = PathFor(domain);
        ct.ThrowIfCancellationRequested();
        File.Delete(path);
        lock (_gate)
        {
            _entries.Remove(domain);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The file of a domain. Only a canonical host name becomes a file name: it has no '/', '\\' or "..", so no
    /// name from DNS or a policy can reach outside the directory.
    /// </summary>
    private string PathFor(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (DomainName.TryCanonicalize(domain, DomainNameOptions.None, out var canonical) != DomainNameError.None
            || !string.Equals(canonical, domain, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{domain}' is not a canonical domain name.", nameof(domain));
        }

        return Path.Combine(_directory, domain + Extension);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        foreach (var temp in Directory.EnumerateFiles(_directory, "*" + TempExtension))
        {
            // Left by a crash between write and rename: never renamed, so never a policy.
            File.Delete(temp);
        }

        await ReadFilesAsync(ct).ConfigureAwait(false);
    }

    private async Task ReadFilesAsync(CancellationToken ct)
    {
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + Extension))
        {
            ct.ThrowIfCancellationRequested();
            var (entry, problem) = await ReadAsync(path, ct).ConfigureAwait(false);
            if (entry is null)
            {
                MtaStsLog.CorruptCacheFile(_logger, path, problem!);
                continue;
            }

            _entries[entry.Domain] = entry;
        }
    }

    private static async Task<(MtaStsCachedPolicy? Entry, string? Problem)> ReadAsync(string path, CancellationToken ct)
    {
        MtaStsPolicyFile? file;
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                if (stream.Length > MaxFileBytes)
                {
                    return (null, "larger than any policy");
                }

                file = await JsonSerializer.DeserializeAsync(stream, MtaStsJsonContext.Default.MtaStsPolicyFile, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return (null, e.Message);
        }

        if (file is null || file.Format != MtaStsPolicyFile.CurrentFormat)
        {
            return (null, "not a cached policy of this format");
        }

        // The JSON may lack members; the generated deserializer then leaves them null despite the annotations.
        if (file.Domain is null || file.PolicyId is null || file.PolicyText is null)
        {
            return (null, "a member is missing");
        }

        if (!string.Equals(Path.GetFileName(path), file.Domain + Extension, StringComparison.Ordinal))
        {
            return (null, $"holds the policy of '{file.Domain}', not of its file name");
        }

        var parsed = MtaStsPolicyParser.Parse(file.PolicyText);
        if (parsed.Policy is null)
        {
            return (null, "invalid policy: " + parsed.Error);
        }

        return (new MtaStsCachedPolicy(file.Domain, file.PolicyId, parsed.Policy, file.FetchedAt, file.ExpiresAt), null);
    }
}
