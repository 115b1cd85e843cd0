using Microsoft.Extensions.Logging;

namespace Gateway.Policy;

/// <summary>
/// Reloads the <see cref="PolicyStore"/> when a policy file changes on disk. Watches the directories of all
/// <see cref="GatewayPolicy.SourceFiles"/> (not the files: editors save by writing a temporary file and
/// renaming it over the original, which a per-file watch would lose), reacts to Changed, Created and
/// Renamed events that name a watched file, and debounces bursts into one reload.
/// </summary>
/// <remarks>
/// After every reload the watch set is rebuilt: a successful reload watches the new policy's files (new
/// includes), a failed one also watches the files named in its errors, so fixing a broken new include
/// is noticed too. A rename of a "..data" entry in a watched directory (Kubernetes ConfigMap updates)
/// also triggers a reload. Deletions are ignored: a policy file that is gone cannot be loaded, and its
/// replacement arrives as Created or Renamed.
/// </remarks>
public sealed class PolicyWatcher : IDisposable
{
    /// <summary>Editors touch a file several times per save; one reload per burst.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(300);

    private readonly PolicyStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<PolicyWatcher> _logger;
    private readonly TimeSpan _debounce;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FileSystemWatcher> _watchers = new(StringComparer.Ordinal);
    private HashSet<string> _files = new(StringComparer.Ordinal);
    private ITimer? _timer;
    private bool _started;
    private bool _disposed;

    public PolicyWatcher(PolicyStore store, TimeProvider time, ILogger<PolicyWatcher> logger, TimeSpan? debounce = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _time = time;
        _logger = logger;
        _debounce = debounce ?? DefaultDebounce;
        if (_debounce < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(debounce), "Debounce must not be negative.");
        }
    }

    /// <summary>The files currently watched (absolute paths).</summary>
    public IReadOnlyCollection<string> WatchedFiles
    {
        get
        {
            lock (_lock)
            {
                return [.. _files];
            }
        }
    }

    /// <summary>Starts watching the current policy's files. Calling it again does nothing.</summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _started = true;
            _store.Changed += OnPolicyChanged;
            Arm([]);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _store.Changed -= OnPolicyChanged;
            foreach (var watcher in _watchers.Values)
            {
                watcher.Dispose();
            }

            _watchers.Clear();
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>A file system event on <paramref name="path"/>: schedules a reload if it is a policy file.</summary>
    internal void OnFileEvent(string path)
    {
        lock (_lock)
        {
            if (_disposed || !(_files.Contains(path) || IsKubernetesSwap(path)))
            {
                return;
            }

            ScheduleReload();
        }
    }

    /// <summary>
    /// A Kubernetes ConfigMap volume updates by renaming a new "..data" directory over the old one; the
    /// policy files are symlinks through it, so no event names them. Caller holds the lock.
    /// </summary>
    private bool IsKubernetesSwap(string path) =>
        Path.GetFileName(path) == "..data" && Path.GetDirectoryName(path) is { } directory && _watchers.ContainsKey(directory);

    private void ScheduleReload()
    {
        // Every event restarts the quiet period, so a burst ends in a single reload.
        _timer ??= _time.CreateTimer(_ => ReloadNow(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
    }

    private void ReloadNow()
    {
        PolicyLoadResult result;
        try
        {
            result = _store.Reload();
        }
        catch (Exception ex)
        {
            // The loader does not throw for bad input; anything else must not kill the timer thread.
            PolicyLog.ReloadFailed(_logger, ex);
            return;
        }

        if (!result.Success)
        {
            lock (_lock)
            {
                Arm(result.Errors.Select(e => e.File).Concat(result.Errors.Select(e => e.MissingFile).OfType<string>()));
            }
        }
    }

    private void OnPolicyChanged(GatewayPolicy policy)
    {
        lock (_lock)
        {
            Arm([]);
        }
    }

    /// <summary>Rebuilds the watch set from the current policy plus <paramref name="extraFiles"/>. Caller holds the lock.</summary>
    private void Arm(IEnumerable<string> extraFiles)
    {
        if (_disposed)
        {
            return;
        }

        var files = new HashSet<string>(StringComparer.Ordinal) { Path.GetFullPath(_store.Path) };
        foreach (var file in _store.Current.SourceFiles.Concat(extraFiles))
        {
            try
            {
                files.Add(Path.GetFullPath(file));
            }
            catch (ArgumentException)
            {
                // A malformed name from an error report cannot be watched; nothing to do.
            }
        }

        _files = files;
        var directories = files.Select(Path.GetDirectoryName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var stale in _watchers.Keys.Where(d => !directories.Contains(d)).ToList())
        {
            _watchers[stale].Dispose();
            _watchers.Remove(stale);
        }

        foreach (var directory in directories)
        {
            if (!_watchers.ContainsKey(directory) && Watch(directory) is { } watcher)
            {
                _watchers.Add(directory, watcher);
            }
        }
    }

    private FileSystemWatcher? Watch(string directory)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            watcher.Changed += OnChanged;
            watcher.Created += OnChanged;
            watcher.Renamed += OnRenamed;
            watcher.Error += OnError;
            watcher.EnableRaisingEvents = true;
            PolicyLog.WatchingDirectory(_logger, directory);
            return watcher;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            watcher?.Dispose();
            PolicyLog.CannotWatch(_logger, directory, ex);
            return null;
        }
    }

    private void OnChanged(object sender, FileSystemEventArgs e)
    {
        PolicyLog.FileEvent(_logger, e.ChangeType, e.FullPath);
        OnFileEvent(e.FullPath);
    }

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        // Renamed onto a policy file (editor save) or a policy file renamed away: both change what loads.
        PolicyLog.FileEvent(_logger, e.ChangeType, e.FullPath);
        OnFileEvent(e.FullPath);
        OnFileEvent(e.OldFullPath);
    }

    private void OnError(object sender, ErrorEventArgs e)
    {
        // Buffer overflow: events were lost, so one of them may have been ours.
        PolicyLog.WatcherError(_logger, e.GetException());
        lock (_lock)
        {
            if (!_disposed)
            {
                ScheduleReload();
            }
        }
    }
}
