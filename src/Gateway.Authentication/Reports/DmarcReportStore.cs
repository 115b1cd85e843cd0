using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Authentication.Reports;

/// <summary>
/// Appends one JSON line per DMARC evaluation to a file per UTC day ("dmarc-2024-05-01.jsonl") and reads them
/// back for aggregate reports. Appends are flushed to the operating system but not fsync'd: losing the last
/// few evaluations in a crash only makes a statistical report slightly smaller, which is not worth a disk sync
/// per message. A crash mid-line leaves a malformed line that reading skips. At most
/// <see cref="DmarcReportStoreOptions.MaxRecordsPerDay"/> records are kept per day. Thread-safe.
/// </summary>
public sealed class DmarcReportStore : IAsyncDisposable, IDisposable
{
    private const string FilePrefix = "dmarc-";
    private const string FileSuffix = ".jsonl";

    private readonly DmarcReportStoreOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<DateOnly, int> _counts = [];
    private FileStream? _stream;
    private DateOnly _streamDay;
    private bool _disposed;

    public DmarcReportStore(DmarcReportStoreOptions options, ILogger<DmarcReportStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxRecordsPerDay);
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Appends a record to the file of its UTC day. Returns false when that day's limit was already reached.
    /// </summary>
    public async ValueTask<bool> AppendAsync(DmarcReportRecord record, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(record);
        var line = JsonSerializer.SerializeToUtf8Bytes(record, DmarcReportJsonContext.Default.DmarcReportRecord);
        var day = DateOnly.FromDateTime(record.Time.UtcDateTime);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_counts.TryGetValue(day, out var count))
            {
                count = await CountLinesAsync(PathFor(day), ct).ConfigureAwait(false);
                ForgetOldDays(day);
            }

            if (count >= _options.MaxRecordsPerDay)
            {
                if (count == _options.MaxRecordsPerDay)
                {
                    DmarcReportLog.DailyLimitReached(_logger, _options.MaxRecordsPerDay, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    _counts[day] = count + 1;
                }

                return false;
            }

            var stream = OpenFor(day);
            await stream.WriteAsync(line, ct).ConfigureAwait(false);
            stream.WriteByte((byte)'\n');
            await stream.FlushAsync(ct).ConfigureAwait(false);
            _counts[day] = count + 1;
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The records whose time is in [begin, end), day file by day file; malformed lines are skipped.</summary>
    public async IAsyncEnumerable<DmarcReportRecord> ReadAsync(DateTimeOffset begin, DateTimeOffset end, [EnumeratorCancellation] CancellationToken ct)
    {
        if (end <= begin)
        {
            yield break;
        }

        var first = DateOnly.FromDateTime(begin.UtcDateTime);
        var last = DateOnly.FromDateTime((end - TimeSpan.FromTicks(1)).UtcDateTime);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            var path = PathFor(day);
            if (!File.Exists(path))
            {
                continue;
            }

            // FileShare.ReadWrite: the writer may have today's file open.
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 65536, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
                while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
                {
                    if (line.Length == 0)
                    {
                        continue;
                    }

                    DmarcReportRecord? record;
                    try
                    {
                        record = JsonSerializer.Deserialize(line, DmarcReportJsonContext.Default.DmarcReportRecord);
                    }
                    catch (JsonException)
                    {
                        record = null;
                    }

                    if (record is null || record.PolicyPublished is null || record.HeaderFrom is null || record.PolicyDomain is null)
                    {
                        DmarcReportLog.MalformedLine(_logger, path);
                        continue;
                    }

                    if (record.Time >= begin && record.Time < end)
                    {
                        yield return record;
                    }
                }
            }
        }
    }

    /// <summary>Deletes the files of UTC days entirely before <paramref name="before"/>; returns how many.</summary>
    public async ValueTask<int> DeleteBeforeAsync(DateTimeOffset before, CancellationToken ct)
    {
        var limit = DateOnly.FromDateTime(before.UtcDateTime);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!Directory.Exists(_options.Directory))
            {
                return 0;
            }

            var deleted = 0;
            foreach (var path in Directory.EnumerateFiles(_options.Directory, FilePrefix + "*" + FileSuffix))
            {
                var name = Path.GetFileName(path);
                var stamp = name[FilePrefix.Length..^FileSuffix.Length];
                if (DateOnly.TryParseExact(stamp, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day < limit)
                {
                    if (_stream is not null && _streamDay == day)
                    {
                        await _stream.DisposeAsync().ConfigureAwait(false);
                        _stream = null;
                    }

                    File.Delete(path);
                    _counts.Remove(day);
                    deleted++;
                }
            }

            return deleted;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_stream is not null)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
                _stream = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _disposed = true;
            _stream?.Dispose();
            _stream = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private string PathFor(DateOnly day) =>
        Path.Combine(_options.Directory, FilePrefix + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + FileSuffix);

    private FileStream OpenFor(DateOnly day)
    {
        if (_stream is not null && _streamDay == day)
        {
            return _stream;
        }

        _stream?.Dispose();
        Directory.CreateDirectory(_options.Directory);
        _stream = new FileStream(PathFor(day), FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, 4096, useAsync: true);
        _streamDay = day;
        return _stream;
    }

    private void ForgetOldDays(DateOnly current)
    {
        // Only the last few days can still receive records (clock steps, late evaluations around midnight).
        List<DateOnly>? old = null;
        foreach (var day in _counts.Keys)
        {
            if (day < current.AddDays(-2))
            {
                (old ??= []).Add(day);
            }
        }

        foreach (var day in old ?? [])
        {
            _counts.Remove(day);
        }
    }

    private static async ValueTask<int> CountLinesAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 65536, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[65536];
            var lines = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }

            return lines;
        }
    }
}
