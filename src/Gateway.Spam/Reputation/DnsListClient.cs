using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Abstractions;

namespace Gateway.Spam.Reputation;

/// <summary>
/// Asks DNS lists (RFC 5782) and keeps their answers for their TTL, capped (<see cref="DnsListCacheOptions"/>).
/// Every question has its own deadline: a list that does not answer in time, or answers SERVFAIL, is a
/// <see cref="DnsListOutcome.Failed"/> result for that subject, never an exception; only the caller's cancellation
/// throws. Failures are not kept, so the next session asks again. Shared by all sessions and safe for that.
/// </summary>
public sealed class DnsListClient
{
    // RFC 5782 2.3: listings are A records in 127.0.0.0/8. 127.255.255.0/24 is where Spamhaus answers "refused"
    // (public resolver, over quota, typo in the zone name): taking those as listings would block every client.
    private static readonly IPNetwork Listings = IPNetwork.Parse("127.0.0.0/8");
    private static readonly IPNetwork OperatorErrors = IPNetwork.Parse("127.255.255.0/24");

    private readonly IDnsResolver _dns;
    private readonly TimeProvider _time;
    private readonly DnsListCacheOptions _options;
    private readonly ConcurrentDictionary<string, CachedAnswer> _cache = new(StringComparer.Ordinal);
    private readonly Lock _writeGate = new();

    public DnsListClient(IDnsResolver dns, TimeProvider time, DnsListCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(time);
        _dns = dns;
        _time = time;
        _options = options ?? DnsListCacheOptions.Default;
    }

    /// <summary>Answers kept now (expired ones included until they are swept).</summary>
    public int CachedAnswers => _cache.Count;

    /// <summary>What <paramref name="list"/> says about a client address.</summary>
    public Task<DnsListResult> CheckAddressAsync(DnsListDefinition list, IPAddress address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(address);
        return CheckAsync(list, address.ToString(), DnsListQuery.ForAddress(address, list.Zone), timeout, cancellationToken);
    }

    /// <summary>What <paramref name="list"/> says about a domain; null when the domain and zone make no DNS name.</summary>
    public async Task<DnsListResult?> CheckDomainAsync(DnsListDefinition list, string domain, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(domain);
        return DnsListQuery.ForDomain(domain, list.Zone) is { } name
            ? await CheckAsync(list, domain, name, timeout, cancellationToken).ConfigureAwait(false)
            : null;
    }

    private async Task<DnsListResult> CheckAsync(DnsListDefinition list, string subject, string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (status, records) = await QueryAsync(name.ToLowerInvariant(), timeout, cancellationToken).ConfigureAwait(false);
        switch (status)
        {
            case DnsStatus.Ok:
                var invalid = records.Where(r => r.AddressFamily != AddressFamily.InterNetwork || !Listings.Contains(r) || OperatorErrors.Contains(r)).ToList();
                if (invalid.Count > 0)
                {
                    return new DnsListResult(list, subject, name, DnsListOutcome.InvalidAnswer, invalid, status);
                }

                var counted = records.Where(list.Codes.Matches).ToList();
                return new DnsListResult(list, subject, name, counted.Count > 0 ? DnsListOutcome.Listed : DnsListOutcome.NotListed, counted, status);
            case DnsStatus.NxDomain or DnsStatus.NoData:
                return new DnsListResult(list, subject, name, DnsListOutcome.NotListed, [], status);
            default:
                return new DnsListResult(list, subject, name, DnsListOutcome.Failed, [], status);
        }
    }

    private async Task<(DnsStatus Status, IReadOnlyList<IPAddress> Records)> QueryAsync(string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(name, out var cached) && cached.Expires > now)
        {
            return (cached.Status, cached.Records);
        }

        DnsAnswer<IPAddress> answer;
        using (var deadline = new CancellationTokenSource(timeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token))
        {
            try
            {
                answer = await _dns.GetAAsync(name, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (DnsStatus.Timeout, []);
            }
        }

        if (answer.Status is DnsStatus.Ok or DnsStatus.NxDomain or DnsStatus.NoData)
        {
            Keep(name, answer, _time.GetUtcNow());
        }

        return (answer.Status, answer.Records);
    }

    private void Keep(string name, DnsAnswer<IPAddress> answer, DateTimeOffset now)
    {
        var ttl = answer.Ttl < _options.TtlCap ? answer.Ttl : _options.TtlCap;
        if (_options.MaxEntries <= 0 || ttl <= TimeSpan.Zero)
        {
            return;
        }

        lock (_writeGate)
        {
            if (!_cache.ContainsKey(name) && _cache.Count >= _options.MaxEntries)
            {
                MakeRoomLocked(now);
            }

            _cache[name] = new CachedAnswer(answer.Status, answer.Records, now + ttl);
        }
    }

    /// <summary>Expired answers first, then those closest to expiry, down to 15/16 of the bound (so not on every add).</summary>
    private void MakeRoomLocked(DateTimeOffset now)
    {
        foreach (var (key, entry) in _cache)
        {
            if (entry.Expires <= now)
            {
                _cache.TryRemove(key, out _);
            }
        }

        var target = _options.MaxEntries - 1 - (_options.MaxEntries / 16);
        if (_cache.Count <= target)
        {
            return;
        }

        foreach (var (key, _) in _cache.OrderBy(e => e.Value.Expires).Take(_cache.Count - target).ToList())
        {
            _cache.TryRemove(key, out _);
        }
    }

    private sealed record CachedAnswer(DnsStatus Status, IReadOnlyList<IPAddress> Records, DateTimeOffset Expires);
}
