using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Gateway.Transport.TlsRpt;

/// <summary>
/// Counts delivery sessions for TLS-RPT (RFC 8460 4): per policy domain and UTC day, per policy, the successful and
/// failed sessions and the failures grouped by detail. Counting is in memory under a lock (it runs once per
/// session); <see cref="SaveAsync"/> writes the counters atomically (temp file, fsync, rename, directory fsync) so a
/// restart keeps the day's counts: the host saves periodically and at shutdown. A crash loses at most the
/// sessions since the last save, which only makes a statistical report slightly smaller.
/// <see cref="TakeCompletedDaysAsync"/> hands over the days that are over and forgets them. Thread-safe.
/// </summary>
public sealed class TlsRptCollector : ITlsRptRecorder, IDisposable
{
    private const string FileName = "tlsrpt-state.json";

    private readonly TlsRptCollectorOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _fileGate = new(1, 1);
    private readonly Dictionary<(DateOnly Day, string Domain), Dictionary<string, PolicyCounter>> _days = [];
    private long _version;
    private long _savedVersion;

    public TlsRptCollector(TlsRptCollectorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Directory);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
    }

    private string StatePath => Path.Combine(_options.Directory, FileName);

    /// <summary>Counts a session that negotiated TLS as its policy requires.</summary>
    public void RecordSuccess(TlsRptPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        lock (_gate)
        {
            CounterFor(policy).Successful++;
            _version++;
        }
    }

    /// <summary>Counts a failed session (or one that failed a policy in testing mode) with its details.</summary>
    public void RecordFailure(TlsRptPolicy policy, TlsRptFailure failure)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(failure);
        lock (_gate)
        {
            var counter = CounterFor(policy);
            counter.Failed++;
            if (counter.Failures.TryGetValue(failure, out var sessions))
            {
                counter.Failures[failure] = sessions + 1;
            }
            else if (counter.Failures.Count < _options.MaxFailureDetails)
            {
                counter.Failures[failure] = 1;
            }

            _version++;
        }
    }

    /// <summary>The counters of one day and domain so far (for tests and the admin view).</summary>
    public TlsRptDailyResults? Peek(DateOnly day, string policyDomain)
    {
        ArgumentNullException.ThrowIfNull(policyDomain);
        lock (_gate)
        {
            return _days.TryGetValue((day, Normalize(policyDomain)), out var policies) ? Snapshot(day, policyDomain, policies) : null;
        }
    }

    /// <summary>
    /// The days not yet taken, oldest first, without forgetting them: the completed ones, and with
    /// <paramref name="includeToday"/> also today's counts so far (what `gateway tlsrpt report --dry-run` shows).
    /// </summary>
    public IReadOnlyList<TlsRptDailyResults> PendingDays(bool includeToday)
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        lock (_gate)
        {
            return [.. _days
                .Where(d => d.Key.Day < today || (includeToday && d.Key.Day == today))
                .OrderBy(d => d.Key.Day)
                .ThenBy(d => d.Key.Domain, StringComparer.Ordinal)
                .Select(d => Snapshot(d.Key.Day, d.Key.Domain, d.Value))];
        }
    }

    /// <summary>
    /// Removes and returns the days before today (UTC), which no session can add to any more, and saves the rest. A
    /// caller that fails to send them has them in hand; they are not put back (reports are best effort, RFC 8460 5).
    /// </summary>
    public async ValueTask<IReadOnlyList<TlsRptDailyResults>> TakeCompletedDaysAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var taken = new List<TlsRptDailyResults>();
        lock (_gate)
        {
            foreach (var key in _days.Keys.Where(k => k.Day < today).OrderBy(k => k.Day).ThenBy(k => k.Domain, StringComparer.Ordinal).ToList())
            {
                taken.Add(Snapshot(key.Day, key.Domain, _days[key]));
                _days.Remove(key);
            }

            if (taken.Count > 0)
            {
                _version++;
            }
        }

        await SaveAsync(ct).ConfigureAwait(false);
        return taken;
    }

    /// <summary>Reads the counters saved by an earlier run and adds them to the ones in memory.</summary>
    public async ValueTask LoadAsync(CancellationToken ct)
    {
        await _fileGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!File.Exists(StatePath))
            {
                return;
            }

            TlsRptState? state;
            var stream = new FileStream(StatePath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                state = await JsonSerializer.DeserializeAsync(stream, TlsRptStateJsonContext.Default.TlsRptState, ct).ConfigureAwait(false);
            }

            lock (_gate)
            {
                foreach (var day in state?.Days ?? [])
                {
                    Merge(day);
                }
            }
        }
        finally
        {
            _fileGate.Release();
        }
    }

    /// <summary>Writes the counters when they changed since the last save: temp file, fsync, rename, directory fsync.</summary>
    public async ValueTask SaveAsync(CancellationToken ct)
    {
        await _fileGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            TlsRptState state;
            long version;
            lock (_gate)
            {
                if (_version == _savedVersion)
                {
                    return;
                }

                version = _version;
                state = ToState();
            }

            Directory.CreateDirectory(_options.Directory);
            var temp = StatePath + ".tmp";
            var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, state, TlsRptStateJsonContext.Default.TlsRptState, ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, StatePath, overwrite: true);
            _options.FlushDirectory?.Invoke(_options.Directory);
            lock (_gate)
            {
                _savedVersion = Math.Max(_savedVersion, version);
            }
        }
        finally
        {
            _fileGate.Release();
        }
    }

    public void Dispose() => _fileGate.Dispose();

    private PolicyCounter CounterFor(TlsRptPolicy policy)
    {
        var day = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var key = (day, Normalize(policy.PolicyDomain));
        if (!_days.TryGetValue(key, out var policies))
        {
            policies = new Dictionary<string, PolicyCounter>(StringComparer.Ordinal);
            _days[key] = policies;
        }

        if (!policies.TryGetValue(policy.Key, out var counter))
        {
            counter = new PolicyCounter(policy);
            policies[policy.Key] = counter;
        }

        return counter;
    }

    private static string Normalize(string domain) => domain.TrimEnd('.').ToLowerInvariant();

    private static TlsRptDailyResults Snapshot(DateOnly day, string domain, Dictionary<string, PolicyCounter> policies) =>
        new(
            day,
            Normalize(domain),
            [.. policies.Values.Select(p => new TlsRptPolicyResults(
                p.Policy,
                p.Successful,
                p.Failed,
                [.. p.Failures.Select(f => new TlsRptFailureCount(f.Key, f.Value))]))]);

    private TlsRptState ToState() => new()
    {
        Days = [.. _days.Select(d => new TlsRptStateDay
        {
            Day = d.Key.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            PolicyDomain = d.Key.Domain,
            Policies = [.. d.Value.Values.Select(p => new TlsRptStatePolicy
            {
                PolicyType = p.Policy.PolicyType,
                PolicyStrings = [.. p.Policy.PolicyStrings],
                MxHosts = [.. p.Policy.MxHosts],
                Successful = p.Successful,
                Failed = p.Failed,
                Failures = [.. p.Failures.Select(f => new TlsRptStateFailure
                {
                    ResultType = f.Key.ResultType,
                    SendingMtaIp = f.Key.SendingMtaIp?.ToString(),
                    ReceivingMxHostname = f.Key.ReceivingMxHostname,
                    ReceivingIp = f.Key.ReceivingIp?.ToString(),
                    AdditionalInformation = f.Key.AdditionalInformation,
                    Sessions = f.Value,
                })],
            })],
        })],
    };

    private void Merge(TlsRptStateDay saved)
    {
        if (!DateOnly.TryParseExact(saved.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) || saved.PolicyDomain.Length == 0)
        {
            return;
        }

        var key = (day, Normalize(saved.PolicyDomain));
        if (!_days.TryGetValue(key, out var policies))
        {
            policies = new Dictionary<string, PolicyCounter>(StringComparer.Ordinal);
            _days[key] = policies;
        }

        foreach (var p in saved.Policies)
        {
            var policy = new TlsRptPolicy(p.PolicyType, key.Item2, p.PolicyStrings, p.MxHosts);
            if (!policies.TryGetValue(policy.Key, out var counter))
            {
                counter = new PolicyCounter(policy);
                policies[policy.Key] = counter;
            }

            counter.Successful += p.Successful;
            counter.Failed += p.Failed;
            foreach (var f in p.Failures)
            {
                var failure = new TlsRptFailure(f.ResultType, ParseIp(f.SendingMtaIp), f.ReceivingMxHostname, ParseIp(f.ReceivingIp), f.AdditionalInformation);
                counter.Failures[failure] = counter.Failures.GetValueOrDefault(failure) + f.Sessions;
            }
        }
    }

    private static IPAddress? ParseIp(string? text) => text is not null && IPAddress.TryParse(text, out var ip) ? ip : null;

    private sealed class PolicyCounter(TlsRptPolicy policy)
    {
        public TlsRptPolicy Policy { get; } = policy;

        public long Successful { get; set; }

        public long Failed { get; set; }

        public Dictionary<TlsRptFailure, long> Failures { get; } = [];
    }
}
