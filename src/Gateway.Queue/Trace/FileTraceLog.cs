using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Gateway.Queue;

/// <summary>
/// The trace as JSON lines in &lt;log directory&gt;/trace-YYYYMMDD.jsonl, one file per UTC day of the event's
/// timestamp. Each line is appended with a single O_APPEND write (on Linux), so the gateway and the queue
/// CLI can write to the same file without tearing lines. Not fsync'd: the spool, not the trace, is durable.
/// </summary>
public sealed class FileTraceLog : ITraceLog, IDisposable
{
    private const string Prefix = "trace-";
    private const string Suffix = ".jsonl";
    private const string DateFormat = "yyyyMMdd";

    /// <summary>
    /// How long an open descriptor is reused. Opening per event was a measurable share of the per-message cost;
    /// reopening every few seconds still follows a log rotated (renamed or deleted) by an admin within that time.
    /// </summary>
    private const long ReopenAfterMilliseconds = 2000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _fd = -1;
    private string? _fdPath;
    private long _fdOpenedAt;

    public FileTraceLog(string logDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(logDirectory);
        LogDirectory = Path.GetFullPath(logDirectory);
        Directory.CreateDirectory(LogDirectory);
    }

    public string LogDirectory { get; }

    /// <summary>The file that holds events of the given UTC day.</summary>
    public string PathFor(DateTimeOffset timestamp) =>
        Path.Combine(LogDirectory, Prefix + timestamp.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture) + Suffix);

    public async ValueTask WriteAsync(TraceEvent traceEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(traceEvent);
        var json = JsonSerializer.SerializeToUtf8Bytes(traceEvent, TraceJsonContext.Default.TraceEvent);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        var path = PathFor(traceEvent.Timestamp);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (OperatingSystem.IsLinux())
            {
                var now = Environment.TickCount64;
                if (_fd < 0 || _fdPath != path || now - _fdOpenedAt > ReopenAfterMilliseconds)
                {
                    CloseDescriptor();
                    _fd = NativeMethods.OpenAppendLinux(path);
                    _fdPath = path;
                    _fdOpenedAt = now;
                }

                try
                {
                    NativeMethods.WriteAllLinux(_fd, path, line);
                }
                catch (IOException)
                {
                    // A broken descriptor is not reused; the next event opens the file again.
                    CloseDescriptor();
                    throw;
                }
            }
            else
            {
                using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async IAsyncEnumerable<TraceEvent> ReadAsync(DateTimeOffset since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A day file holds only events of that UTC day, so older files cannot hold anything at or after since.
        var firstDay = DateOnly.FromDateTime(since.UtcDateTime);
        var files = new List<(DateOnly Day, string Path)>();
        foreach (var path in Directory.EnumerateFiles(LogDirectory, Prefix + "*" + Suffix))
        {
            var name = Path.GetFileName(path);
            var datePart = name[Prefix.Length..^Suffix.Length];
            if (DateOnly.TryParseExact(datePart, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day >= firstDay)
            {
                files.Add((day, path));
            }
        }

        files.Sort((a, b) => a.Day.CompareTo(b.Day));
        foreach (var (_, path) in files)
        {
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                var traceEvent = Parse(line);
                if (traceEvent is not null && traceEvent.Timestamp >= since)
                {
                    yield return traceEvent;
                }
            }
        }
    }

    public void Dispose()
    {
        CloseDescriptor();
        _gate.Dispose();
    }

    private void CloseDescriptor()
    {
        if (_fd >= 0)
        {
            _ = NativeMethods.Close(_fd);
            _fd = -1;
            _fdPath = null;
        }
    }

    private static TraceEvent? Parse(string line)
    {
        if (line.Length == 0)
        {
            return null;
        }

        try
        {
            var traceEvent = JsonSerializer.Deserialize(line, TraceJsonContext.Default.TraceEvent);

            // A line cut short by a crash, or edited by hand, is skipped rather than ending the read.
            return traceEvent is { Event: not null, QueueId: not null, To: not null } ? traceEvent : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
