using System.Net;
using System.Text.Json;
using Gateway.Policy;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Limits;

/// <summary>What the greylist said to one attempt.</summary>
public enum GreylistOutcome
{
    /// <summary>The triplet is new (or its retry window passed): 450.</summary>
    FirstAttempt,

    /// <summary>Retried before the delay: 450 again, the first attempt's time stays.</summary>
    TooEarly,

    /// <summary>Retried after the delay and within the window: accepted, and the network is allowed from now on.</summary>
    Passed,
}

/// <summary>The outcome, with how long the client still has to wait (first/too early) or has waited (passed).</summary>
public readonly record struct GreylistResult(GreylistOutcome Outcome, TimeSpan Time, DateTimeOffset AllowedUntil);

/// <summary>
/// The greylist of the whole process: pending triplets (client network, envelope sender, recipient) with the time of
/// their first attempt, and the networks allowed after a passed retry. Kept across policy reloads (the host owns it; the
/// policy in force passes its delays with each call) and across restarts: the state is written to
/// "&lt;state&gt;/greylist/greylist.json" when it changed, at most every <c>flushInterval</c> and when the host stops,
/// as a whole new file fsync'd and renamed over the old one (as the MTA-STS cache does), so a crash leaves the previous
/// state or the new one. A file that does not read is logged and ignored: the worst it costs is greylisting again.
/// Bounded: expired entries are pruned when the file is written and when it is read; beyond
/// <see cref="MaxEntries"/> triplets (or networks) the oldest go.
/// </summary>
public sealed class Greylist : IDisposable
{
    public const string FileName = "greylist.json";
    private const string TempExtension = ".tmp";
    private const long MaxFileBytes = 256L * 1024 * 1024;

    /// <summary>A network's allowance is written again only when its renewal moves it by more than this (fewer writes).</summary>
    private static readonly TimeSpan RenewStep = TimeSpan.FromHours(1);

    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Lock _writeGate = new();
    private readonly Dictionary<string, Pending> _triplets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _networks = new(StringComparer.Ordinal);
    private readonly ITimer? _timer;
    private int _maxEntries;
    private bool _dirty;
    private int _disposed;

    private Greylist(string directory, TimeProvider time, ILogger logger, TimeSpan flushInterval, int maxEntries)
    {
        _directory = directory;
        _time = time;
        _logger = logger;
        _maxEntries = maxEntries;
        if (flushInterval > TimeSpan.Zero)
        {
            _timer = time.CreateTimer(_ => FlushQuietly(), null, flushInterval, flushInterval);
        }
    }

    /// <summary>The file the state is kept in.</summary>
    public string FilePath => Path.Combine(_directory, FileName);

    /// <summary>The most triplets, and the most allowed networks, remembered; the policy in force sets it (greylisting.max_entries).</summary>
    public int MaxEntries
    {
        get => Volatile.Read(ref _maxEntries);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref _maxEntries, value);
        }
    }

    public (int Triplets, int Networks) Count
    {
        get
        {
            lock (_gate)
            {
                return (_triplets.Count, _networks.Count);
            }
        }
    }

    /// <summary>
    /// Reads the state in <paramref name="directory"/> when there is one (the directory is made only when something is
    /// written). <paramref name="flushInterval"/>: how often changes are written; zero: only by <see cref="Flush"/>.
    /// </summary>
    public static Greylist Open(string directory, TimeProvider time, ILogger logger, TimeSpan flushInterval, int maxEntries = GreylistingPolicy.DefaultMaxEntries)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var greylist = new Greylist(directory, time, logger, flushInterval, maxEntries);
        greylist.Load();
        return greylist;
    }

    /// <summary>
    /// True when <paramref name="network"/> passed a retry and its allowance has not run out; the allowance is then
    /// renewed for <paramref name="autoAllow"/> from now (a network that keeps sending stays allowed).
    /// </summary>
    public bool IsAllowed(IPNetwork network, TimeSpan autoAllow)
    {
        var now = Now;
        var key = network.ToString();
        lock (_gate)
        {
            if (!_networks.TryGetValue(key, out var expires))
            {
                return false;
            }

            if (expires <= now)
            {
                _networks.Remove(key);
                _dirty = true;
                return false;
            }

            var renewed = now + (long)autoAllow.TotalMilliseconds;
            if (renewed - expires > (long)RenewStep.TotalMilliseconds)
            {
                _networks[key] = renewed;
                _dirty = true;
            }

            return true;
        }
    }

    /// <summary>Records an attempt of the triplet and says whether it passes, under the policy's delay, window and allowance.</summary>
    public GreylistResult Attempt(IPNetwork network, string sender, string recipient, GreylistingPolicy settings)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(settings);
        var now = Now;
        var networkText = network.ToString();
        var key = TripletKey(networkText, sender, recipient);
        var delay = (long)settings.Delay.TotalMilliseconds;
        lock (_gate)
        {
            _dirty = true;
            if (_triplets.TryGetValue(key, out var pending))
            {
                var waited = now - pending.FirstSeen;
                if (waited < 0)
                {
                    // The clock went back: start again rather than wait for an instant that was already passed.
                    waited = long.MaxValue;
                }

                if (waited < delay)
                {
                    return new GreylistResult(GreylistOutcome.TooEarly, TimeSpan.FromMilliseconds(delay - waited), default);
                }

                if (waited <= (long)settings.RetryWindow.TotalMilliseconds)
                {
                    _triplets.Remove(key);
                    var until = now + (long)settings.AutoAllow.TotalMilliseconds;
                    MakeRoom(_networks, now, static expires => expires);
                    _networks[networkText] = Math.Max(until, _networks.GetValueOrDefault(networkText));
                    return new GreylistResult(GreylistOutcome.Passed, TimeSpan.FromMilliseconds(waited), DateTimeOffset.FromUnixTimeMilliseconds(until));
                }
            }
            else
            {
                MakeRoom(_triplets, now, static p => p.Expires);
            }

            _triplets[key] = new Pending(networkText, sender, recipient, now, now + (long)settings.RetryWindow.TotalMilliseconds);
            return new GreylistResult(GreylistOutcome.FirstAttempt, settings.Delay, default);
        }
    }

    /// <summary>Writes the state now if it changed since the last write. Throws on an I/O error (the state stays dirty).</summary>
    public void Flush()
    {
        lock (_writeGate)
        {
            GreylistFile file;
            lock (_gate)
            {
                if (!_dirty)
                {
                    return;
                }

                Prune(Now);
                file = new GreylistFile(
                    GreylistFile.CurrentFormat,
                    [.. _triplets.Values.Select(p => new GreylistFileTriplet(p.Network, p.Sender, p.Recipient, p.FirstSeen, p.Expires))],
                    [.. _networks.Select(n => new GreylistFileNetwork(n.Key, n.Value))]);
                _dirty = false;
            }

            try
            {
                Write(file);
            }
            catch
            {
                lock (_gate)
                {
                    _dirty = true;
                }

                throw;
            }
        }
    }

    /// <summary>Stops the timer and writes what changed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer?.Dispose();
        FlushQuietly();
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string TripletKey(string network, string sender, string recipient) =>
        string.Concat(network, "\n", sender.ToLowerInvariant(), "\n", recipient.ToLowerInvariant());

    private void FlushQuietly()
    {
        try
        {
            Flush();
        }
#pragma warning disable CA1031 // From the timer: an exception would end the process; the state stays dirty and is written next time.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LimitsLog.GreylistWriteFailed(_logger, FilePath, e);
        }
    }

    private void Write(GreylistFile file)
    {
        Directory.CreateDirectory(_directory);
        var temp = Path.Combine(_directory, $".greylist.{Guid.NewGuid():N}{TempExtension}");
        try
        {
            // Owner only: the file names senders and recipients.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 65536 };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                JsonSerializer.Serialize(stream, file, GreylistJsonContext.Default.GreylistFile);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, FilePath, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private void Load()
    {
        if (!Directory.Exists(_directory))
        {
            return;
        }

        foreach (var temp in Directory.EnumerateFiles(_directory, ".greylist.*" + TempExtension))
        {
            // Left by a crash between write and rename: never renamed, so never the state.
            File.Delete(temp);
        }

        var path = FilePath;
        if (!File.Exists(path))
        {
            return;
        }

        GreylistFile? file;
        try
        {
            if (new FileInfo(path).Length > MaxFileBytes)
            {
                LimitsLog.GreylistUnreadable(_logger, path, $"larger than {MaxFileBytes / 1024 / 1024} MiB");
                return;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 65536);
            file = JsonSerializer.Deserialize(stream, GreylistJsonContext.Default.GreylistFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            LimitsLog.GreylistUnreadable(_logger, path, e.Message);
            return;
        }

        if (file is not { Format: GreylistFile.CurrentFormat, Triplets: not null, Networks: not null })
        {
            LimitsLog.GreylistUnreadable(_logger, path, "not a greylist file of format " + GreylistFile.CurrentFormat);
            return;
        }

        var now = Now;
        lock (_gate)
        {
            foreach (var t in file.Triplets)
            {
                if (t is { Network: not null, Sender: not null, Recipient: not null } && IPNetwork.TryParse(t.Network, out _) && t.Expires > now)
                {
                    _triplets[TripletKey(t.Network, t.Sender, t.Recipient)] = new Pending(t.Network, t.Sender, t.Recipient, t.FirstSeen, t.Expires);
                }
            }

            foreach (var n in file.Networks)
            {
                if (n.Network is not null && IPNetwork.TryParse(n.Network, out _) && n.Expires > now)
                {
                    _networks[n.Network] = n.Expires;
                }
            }

            Trim(_triplets, MaxEntries, static p => p.Expires);
            Trim(_networks, MaxEntries, static expires => expires);
            LimitsLog.GreylistLoaded(_logger, path, _triplets.Count, _networks.Count);
        }
    }

    private void Prune(long now)
    {
        RemoveWhere(_triplets, p => p.Expires <= now);
        RemoveWhere(_networks, expires => expires <= now);
        Trim(_triplets, MaxEntries, static p => p.Expires);
        Trim(_networks, MaxEntries, static expires => expires);
    }

    /// <summary>Before adding to a full map: the expired entries go, then those that expire soonest (a tenth, so this is rare).</summary>
    private void MakeRoom<T>(Dictionary<string, T> map, long now, Func<T, long> expiresOf)
    {
        var max = MaxEntries;
        if (map.Count < max)
        {
            return;
        }

        RemoveWhere(map, v => expiresOf(v) <= now);
        Trim(map, max - Math.Max(1, max / 10), expiresOf);
    }

    private static void Trim<T>(Dictionary<string, T> map, int max, Func<T, long> expiresOf)
    {
        if (map.Count <= max)
        {
            return;
        }

        foreach (var key in map.OrderBy(e => expiresOf(e.Value)).Take(map.Count - max).Select(e => e.Key).ToList())
        {
            map.Remove(key);
        }
    }

    private static void RemoveWhere<T>(Dictionary<string, T> map, Func<T, bool> predicate)
    {
        foreach (var key in map.Where(e => predicate(e.Value)).Select(e => e.Key).ToList())
        {
            map.Remove(key);
        }
    }

    private sealed record Pending(string Network, string Sender, string Recipient, long FirstSeen, long Expires);
}
