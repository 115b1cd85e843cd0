using Gateway.Abstractions;
using Gateway.Syntax;
using Microsoft.Extensions.Logging;

namespace Gateway.Transport.MtaSts;

/// <summary>
/// Policy discovery for delivery (RFC 8461 3, 5.1): the "_mta-sts" TXT record says whether a domain publishes a
/// policy and which version; the policy is fetched over HTTPS only when the cache has none valid under that id,
/// and kept in the cache until it expires.
/// </summary>
/// <remarks>
/// <para>Decisions (RFC 8461 3.1, 3.3, 5.1):</para>
/// <list type="bullet">
/// <item>No usable TXT record (none, or more than one v=STSv1 record, or an invalid one): the cached policy while
/// unexpired, else no policy. A removed record does not cancel a cached policy: a domain withdraws with mode
/// "none" (RFC 8461 8.3), and an attacker who suppresses the record must not strip the policy.</item>
/// <item>TXT lookup failed temporarily: the cached policy while unexpired, else no policy.</item>
/// <item>Record id equal to the cached policy's: the cached policy, no fetch.</item>
/// <item>Id changed, or nothing cached: fetch. Success is cached and used; a failure falls back to the unexpired
/// cached policy ("a valid (non-expired) policy exists in the sender's cache, the sender MUST apply that cached
/// policy"), else no policy; either way the failure type is reported for TLS-RPT (RFC 8460 4.3).</item>
/// <item>Mode "none" is cached like any policy and means no policy.</item>
/// </list>
/// <para>Concurrent lookups of one domain share one fetch, which runs to its own timeout whatever the callers'
/// cancellation, so a caller giving up does not fail the others.</para>
/// </remarks>
public sealed class MtaStsPolicyResolver : IMtaStsPolicySource, IDisposable
{
    private readonly IDnsResolver _dns;
    private readonly IMtaStsPolicyFetcher _fetcher;
    private readonly IMtaStsPolicyCache _cache;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MtaStsResolverOptions _options;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task<MtaStsFetchResult>> _fetches = new(StringComparer.Ordinal);

    public MtaStsPolicyResolver(
        IDnsResolver dns,
        IMtaStsPolicyFetcher fetcher,
        IMtaStsPolicyCache cache,
        TimeProvider time,
        ILogger<MtaStsPolicyResolver> logger,
        MtaStsResolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(fetcher);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _dns = dns;
        _fetcher = fetcher;
        _cache = cache;
        _time = time;
        _logger = logger;
        _options = options ?? new MtaStsResolverOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(_options.RefreshWhenRemaining);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.RefreshWhenRemaining, 1.0);
    }

    public async ValueTask<MtaStsLookup> GetPolicyAsync(string domain, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (DomainName.TryCanonicalize(domain, DomainNameOptions.AllowUnicode | DomainNameOptions.AllowTrailingDot, out var canonical) != DomainNameError.None)
        {
            // Not a host name (an address literal, a typo): nothing to discover.
            return MtaStsLookup.NoPolicy;
        }

        var cached = Valid(_cache.Get(canonical));
        var txt = await _dns.GetTxtAsync(MtaStsRecord.OwnerName(canonical), ct).ConfigureAwait(false);
        if (txt.Status is DnsStatus.ServerFailure or DnsStatus.Timeout)
        {
            return cached is null
                ? MtaStsLookup.NoPolicy with { FailureDetail = $"TXT lookup of {MtaStsRecord.OwnerName(canonical)}: {txt.Status}" }
                : Use(cached);
        }

        var record = txt.Status == DnsStatus.Ok ? MtaStsRecord.Discover(txt.Records) : MtaStsRecordResult.Invalid($"TXT {txt.Status}");
        if (record.Record is null)
        {
            MtaStsLog.NoRecord(_logger, canonical, record.Error!);
            return cached is null ? MtaStsLookup.NoPolicy : Use(cached);
        }

        if (cached is not null && string.Equals(cached.PolicyId, record.Record.Id, StringComparison.Ordinal))
        {
            return Use(cached);
        }

        var fetched = await FetchSharedAsync(canonical, record.Record.Id).WaitAsync(ct).ConfigureAwait(false);
        if (fetched.Policy is { } policy)
        {
            return Use(policy, record.Record.Id);
        }

        // RFC 8461 3.3: the fetch failed; an unexpired cached policy still applies, the failure goes to TLS-RPT.
        cached = Valid(_cache.Get(canonical));
        return cached is null
            ? new MtaStsLookup(null, null, fetched.FailureResultType, fetched.FailureDetail)
            : Use(cached) with { FailureResultType = fetched.FailureResultType, FailureDetail = fetched.FailureDetail };
    }

    /// <summary>
    /// Refetches every cached policy with less than <see cref="MtaStsResolverOptions.RefreshWhenRemaining"/> of its
    /// max_age left (RFC 8461 10.2), whether or not its TXT id changed: only a new fetch extends a policy's life.
    /// A failed refresh keeps the cached policy until it expires; expired policies are removed. For the host to
    /// call periodically (daily is plenty for policies of days or weeks). Returns how many policies were renewed.
    /// </summary>
    public async Task<int> RefreshAsync(CancellationToken ct)
    {
        var renewed = 0;
        foreach (var entry in _cache.Entries)
        {
            ct.ThrowIfCancellationRequested();
            var now = _time.GetUtcNow();
            var remaining = entry.ExpiresAt - now;
            if (remaining >= entry.Policy.MaxAge * _options.RefreshWhenRemaining && remaining > TimeSpan.Zero)
            {
                continue;
            }

            // The TXT id, when there is one, names the policy now published; otherwise the cached id stays.
            var txt = await _dns.GetTxtAsync(MtaStsRecord.OwnerName(entry.Domain), ct).ConfigureAwait(false);
            var record = txt.Status == DnsStatus.Ok ? MtaStsRecord.Discover(txt.Records).Record : null;
            var fetched = await FetchSharedAsync(entry.Domain, record?.Id ?? entry.PolicyId).WaitAsync(ct).ConfigureAwait(false);
            if (fetched.IsSuccess)
            {
                renewed++;
            }
            else if (!entry.IsValidAt(_time.GetUtcNow()))
            {
                await _cache.RemoveAsync(entry.Domain, ct).ConfigureAwait(false);
                MtaStsLog.Expired(_logger, entry.Domain);
            }
        }

        return renewed;
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private MtaStsCachedPolicy? Valid(MtaStsCachedPolicy? entry) => entry is not null && entry.IsValidAt(_time.GetUtcNow()) ? entry : null;

    /// <summary>The policy in force from a cache entry: mode "none" is no policy (RFC 8461 8.3), its id still known.</summary>
    private static MtaStsLookup Use(MtaStsCachedPolicy entry) => Use(entry.Policy, entry.PolicyId);

    private static MtaStsLookup Use(MtaStsPolicy policy, string policyId) =>
        policy.Mode == MtaStsMode.None ? new MtaStsLookup(null, policyId) : new MtaStsLookup(policy, policyId);

    /// <summary>One fetch per domain at a time: a caller arriving while one runs waits for its result.</summary>
    private Task<MtaStsFetchResult> FetchSharedAsync(string domain, string policyId)
    {
        Task<MtaStsFetchResult> task;
        lock (_gate)
        {
            if (_fetches.TryGetValue(domain, out var running))
            {
                return running;
            }

            // Started outside this thread so no fetcher code runs under the lock.
            task = Task.Run(() => FetchAndStoreAsync(domain, policyId));
            _fetches[domain] = task;
        }

        _ = task.ContinueWith(
            finished =>
            {
                lock (_gate)
                {
                    if (_fetches.TryGetValue(domain, out var current) && current == finished)
                    {
                        _fetches.Remove(domain);
                    }
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return task;
    }

    private async Task<MtaStsFetchResult> FetchAndStoreAsync(string domain, string policyId)
    {
        // Not the caller's token: the fetch is shared, and bounded by the fetcher's own timeout.
        var ct = _disposed.Token;
        var fetched = await _fetcher.FetchAsync(domain, ct).ConfigureAwait(false);
        if (fetched.Policy is not { } policy)
        {
            MtaStsLog.FetchFailed(_logger, domain, fetched.FailureResultType ?? MtaStsFailureTypes.PolicyFetchError, fetched.FailureDetail ?? string.Empty);
            return fetched;
        }

        MtaStsLog.PolicyFetched(_logger, domain, policyId, policy.Mode, policy.MaxAge);
        var now = _time.GetUtcNow();
        try
        {
            await _cache.SaveAsync(new MtaStsCachedPolicy(domain, policyId, policy, now, now + policy.MaxAge), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The policy applies now even if the disk refuses it; it is fetched again after a restart.
            MtaStsLog.CacheWriteFailed(_logger, domain, e);
        }

        return fetched;
    }
}
