using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Gateway.Abstractions;
using Microsoft.Extensions.Logging;
using MxRecord = Gateway.Abstractions.MxRecord;
using TlsaRecord = Gateway.Abstractions.TlsaRecord;

namespace Gateway.Dns;

/// <summary>
/// <see cref="IDnsResolver"/> over DnsClient's <see cref="LookupClient"/>: asks the configured recursive
/// resolvers (or the system's), caches answers for their TTL and negative answers for the RFC 2308 negative
/// TTL (<see cref="DnsAnswerCache"/>), retries over TCP when a UDP answer is truncated (RFC 1035 4.2.1 /
/// RFC 7766 5) and turns every DNS outcome into a <see cref="DnsStatus"/> instead of an exception (STYLE
/// habit 5: infrastructure failure is a temporary error, never a crash).
/// </summary>
public sealed class DnsClientResolver : IDnsResolver
{
    private readonly ILogger<DnsClientResolver> _logger;
    private readonly DnsAnswerCache _cache;
    private readonly TimeSpan _negativeTtlWithoutSoa;
    private readonly Lock _applyGate = new();
    private Upstream _upstream;

    public DnsClientResolver(DnsResolverOptions options, ILogger<DnsClientResolver> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _upstream = CreateUpstream(options);
        _logger = logger;
        _cache = new DnsAnswerCache(time ?? TimeProvider.System, options.MaxCacheEntries, options.MaxCacheBytes, options.MaxTtl, options.MaxNegativeTtl);
        _negativeTtlWithoutSoa = options.NegativeTtlWithoutSoa;
    }

    /// <summary>
    /// Adopts the servers, timeout, retries, payload size and DNSSEC trust of <paramref name="options"/> (a policy reload); the
    /// cache bounds and TTL caps stay those of construction. Questions already asked finish on the old settings.
    /// The cache survives a change of timeout or retries, which changes nothing about the answers; it is flushed
    /// when the servers or the trust in their AD bit change, because the admin changes them when they answer differently (a split-horizon
    /// view, a broken or poisoned resolver), and keeping their answers would keep routing by them for up to a day.
    /// </summary>
    public void Apply(DnsResolverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var next = CreateUpstream(options);
        lock (_applyGate)
        {
            var previous = _upstream;
            if (SameWire(previous.Options, next.Options))
            {
                return;
            }

            Volatile.Write(ref _upstream, next);
            if (!previous.Options.Servers.SequenceEqual(next.Options.Servers) || previous.Options.DnssecValidating != next.Options.DnssecValidating)
            {
                _cache.Clear();
            }
        }
    }

    /// <summary>The settings the resolver asks with now.</summary>
    internal DnsResolverOptions Options => Volatile.Read(ref _upstream).Options;

    /// <summary>Estimated bytes of the answers held in the cache now.</summary>
    internal long CachedBytes => _cache.Bytes;

    /// <summary>Answers held in the cache now (expired ones may still be counted until swept).</summary>
    internal int CachedAnswers => _cache.Count;

    public ValueTask<DnsAnswer<MxRecord>> GetMxAsync(string domain, CancellationToken ct) =>
        LookupAsync(domain, QueryType.MX, static records => records.MxRecords().Select(r => new MxRecord(r.Preference, DnsNames.Normalize(r.Exchange.Value))).ToList(), ct);

    public async ValueTask<DnsAnswer<IPAddress>> GetAddressesAsync(string host, CancellationToken ct)
    {
        // A and AAAA are separate questions (RFC 3596); asked together, answered as one list.
        var v4Task = GetAAsync(host, ct).AsTask();
        var v6Task = GetAaaaAsync(host, ct).AsTask();
        var v4 = await v4Task.ConfigureAwait(false);
        var v6 = await v6Task.ConfigureAwait(false);

        if (v4.Records.Count + v6.Records.Count > 0)
        {
            var ttl = v4.Records.Count == 0 ? v6.Ttl : v6.Records.Count == 0 ? v4.Ttl : Min(v4.Ttl, v6.Ttl);
            return new DnsAnswer<IPAddress>(DnsStatus.Ok, [.. v4.Records, .. v6.Records], ttl, v4.Authenticated && v6.Authenticated);
        }

        var status = CombineEmpty(v4.Status, v6.Status);
        var negativeTtl = status is DnsStatus.NxDomain or DnsStatus.NoData ? Min(v4.Ttl, v6.Ttl) : TimeSpan.Zero;
        return new DnsAnswer<IPAddress>(status, [], negativeTtl, v4.Authenticated && v6.Authenticated);
    }

    public ValueTask<DnsAnswer<IPAddress>> GetAAsync(string host, CancellationToken ct) =>
        LookupAsync(host, QueryType.A, static records => records.ARecords().Select(r => r.Address).ToList(), ct);

    public ValueTask<DnsAnswer<IPAddress>> GetAaaaAsync(string host, CancellationToken ct) =>
        LookupAsync(host, QueryType.AAAA, static records => records.AaaaRecords().Select(r => r.Address).ToList(), ct);

    public ValueTask<DnsAnswer<string>> GetTxtAsync(string name, CancellationToken ct) =>
        // RFC 7208 3.3: the character-strings of one TXT record are concatenated without separator.
        LookupAsync(name, QueryType.TXT, static records => records.TxtRecords().Select(r => string.Concat(r.Text)).ToList(), ct);

    public ValueTask<DnsAnswer<string>> GetPtrAsync(IPAddress address, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(address);
        return LookupAsync(ReverseNames.For(address), QueryType.PTR, static records => records.PtrRecords().Select(r => DnsNames.Normalize(r.PtrDomainName.Value)).ToList(), ct);
    }

    public ValueTask<DnsAnswer<TlsaRecord>> GetTlsaAsync(string name, CancellationToken ct) =>
        LookupAsync(name, QueryType.TLSA, static records => records.TlsaRecords()
            .Select(r => new TlsaRecord((byte)r.CertificateUsage, (byte)r.Selector, (byte)r.MatchingType, r.CertificateAssociationData.ToArray()))
            .ToList(), ct);

    /// <summary>
    /// With no records of the asked type, the worse of the two outcomes wins: a failure of either question
    /// means we cannot tell the host has no address; NXDOMAIN on either means the name does not exist.
    /// </summary>
    private static DnsStatus CombineEmpty(DnsStatus first, DnsStatus second)
    {
        if (first is DnsStatus.ServerFailure or DnsStatus.Timeout)
        {
            return first;
        }

        if (second is DnsStatus.ServerFailure or DnsStatus.Timeout)
        {
            return second;
        }

        if (first == DnsStatus.NxDomain || second == DnsStatus.NxDomain)
        {
            return DnsStatus.NxDomain;
        }

        return DnsStatus.NoData;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private async ValueTask<DnsAnswer<T>> LookupAsync<T>(string name, QueryType type, Func<IReadOnlyList<DnsResourceRecord>, List<T>> extract, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(name);
        ct.ThrowIfCancellationRequested();
        var normalized = DnsNames.Normalize(name);
        var key = new DnsCacheKey((int)type, normalized);
        if (_cache.TryGet<T>(key, out var cached))
        {
            return cached;
        }

        DnsAnswer<T> answer;
        if (!DnsNames.IsQueryable(normalized))
        {
            // Not a name a query can carry (empty label, label over 63 or name over 253 octets, RFC 1035
            // 2.3.4): no such name can exist. Not cached: asking costs nothing.
            DnsLog.Failed(_logger, type.ToString(), name, "not a valid DNS name");
            return new DnsAnswer<T>(DnsStatus.NxDomain, [], TimeSpan.Zero);
        }

        var generation = _cache.Generation;
        var (status, response, validating) = await QueryAsync(normalized, type, ct).ConfigureAwait(false);
        if (response is null)
        {
            answer = new DnsAnswer<T>(status, [], TimeSpan.Zero);
        }
        else
        {
            // Only the records of the asked type count; a CNAME chain in front of them is not an answer.
            var typed = response.Answers.Where(r => r.RecordType == (ResourceRecordType)type).ToList();
            var values = status == DnsStatus.Ok ? extract(typed) : [];

            // The AD bit means something only from a validating resolver we were told to trust.
            var authenticated = validating && response.Header.IsAuthenticData;
            answer = values.Count > 0
                ? new DnsAnswer<T>(DnsStatus.Ok, values, MinimumTtl(typed), authenticated)
                : new DnsAnswer<T>(status == DnsStatus.Ok ? DnsStatus.NoData : status, [], status is DnsStatus.Ok or DnsStatus.NoData or DnsStatus.NxDomain ? NegativeTtl(response) : TimeSpan.Zero, authenticated);
        }

        _cache.Add(key, answer, generation);
        return answer;
    }

    private static TimeSpan MinimumTtl(List<DnsResourceRecord> records)
    {
        var min = int.MaxValue;
        foreach (var record in records)
        {
            min = Math.Min(min, record.TimeToLive);
        }

        return TimeSpan.FromSeconds(Math.Max(0, min));
    }

    /// <summary>
    /// RFC 2308 5: a negative answer lives for the smaller of the SOA's TTL and its MINIMUM field; without an
    /// SOA it SHOULD NOT be cached for long, so a short fixed time is used.
    /// </summary>
    private TimeSpan NegativeTtl(IDnsQueryResponse response)
    {
        var soa = response.Authorities.SoaRecords().FirstOrDefault();
        if (soa is null)
        {
            return _negativeTtlWithoutSoa;
        }

        return TimeSpan.FromSeconds(Math.Min((long)Math.Max(0, soa.TimeToLive), soa.Minimum));
    }

    private async ValueTask<(DnsStatus Status, IDnsQueryResponse? Response, bool Validating)> QueryAsync(string name, QueryType type, CancellationToken ct)
    {
        var typeName = type.ToString();
        var upstream = Volatile.Read(ref _upstream);
        var validating = upstream.Options.DnssecValidating;
        IDnsQueryResponse response;
        try
        {
            response = await upstream.Client.QueryAsync(name, type, QueryClass.IN, ct).ConfigureAwait(false);
        }
        catch (DnsResponseException) when (ct.IsCancellationRequested)
        {
            // DnsClient wraps a cancellation met mid-query; the caller asked to stop, so it gets the cancellation.
            throw new OperationCanceledException(ct);
        }
        catch (DnsResponseException ex) when (ex.Code == DnsResponseCode.ConnectionTimeout)
        {
            DnsLog.Failed(_logger, typeName, name, "timeout");
            return (DnsStatus.Timeout, null, validating);
        }
        catch (DnsResponseException ex)
        {
            DnsLog.Failed(_logger, typeName, name, ex.Code.ToString());
            return (DnsStatus.ServerFailure, null, validating);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // DnsClient reports its own per-query timeout as a cancellation on some paths.
            DnsLog.Failed(_logger, typeName, name, "timeout");
            return (DnsStatus.Timeout, null, validating);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            DnsLog.Failed(_logger, typeName, name, ex.GetType().Name);
            return (DnsStatus.ServerFailure, null, validating);
        }
        catch (ArgumentException ex)
        {
            // A name DnsClient will not encode (e.g. characters IDNA refuses): no such name can exist.
            DnsLog.Failed(_logger, typeName, name, ex.Message);
            return (DnsStatus.NxDomain, null, validating);
        }

        var status = Classify(response);
        DnsLog.Answered(_logger, typeName, name, status);
        return (status, response, validating);
    }

    private static DnsStatus Classify(IDnsQueryResponse response)
    {
        var code = response.Header.ResponseCode;
        return code switch
        {
            DnsHeaderResponseCode.NoError => response.Answers.Count > 0 ? DnsStatus.Ok : DnsStatus.NoData,

            // RFC 1035 4.1.1 RCODE 3; RFC 8020: nothing exists below a name that does not exist.
            DnsHeaderResponseCode.NotExistentDomain => DnsStatus.NxDomain,

            // SERVFAIL, REFUSED, FORMERR, NOTIMP and the rest: the resolver could not answer.
            _ => DnsStatus.ServerFailure,
        };
    }

    private static Upstream CreateUpstream(DnsResolverOptions options)
    {
        if (options.Retries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Retries, "Retries cannot be negative.");
        }

        if (options.UdpPayloadSize is < 0 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.UdpPayloadSize, "UDP payload size must fit 16 bits.");
        }

        var clientOptions = options.Servers.Count == 0
            ? new LookupClientOptions()
            : new LookupClientOptions(options.Servers.ToArray());

        // Our own cache keeps negative answers for the RFC 2308 time and is driven by TimeProvider.
        clientOptions.UseCache = false;
        clientOptions.Timeout = options.Timeout;
        clientOptions.Retries = options.Retries;
        clientOptions.UseTcpFallback = true;
        clientOptions.ExtendedDnsBufferSize = options.UdpPayloadSize;

        // Error answers come back as responses we classify ourselves; only transport failures throw.
        clientOptions.ThrowDnsErrors = false;

        // NXDOMAIN is an answer, not a server problem: asking the next server would only repeat it.
        // SERVFAIL/REFUSED still make DnsClient try the next configured server (ContinueOnDnsError).
        clientOptions.ContinueOnDnsError = true;
        clientOptions.ContinueOnEmptyResponse = false;

        // RFC 6840 5.7: a validating resolver reports AD only to a client that signals DNSSEC awareness.
        clientOptions.RequestDnsSecRecords = options.DnssecValidating;

        return new Upstream(new LookupClient(clientOptions), options);
    }

    /// <summary>Whether two settings ask the same servers the same way (the server lists compared by their items).</summary>
    private static bool SameWire(DnsResolverOptions a, DnsResolverOptions b) =>
        a.Timeout == b.Timeout && a.Retries == b.Retries && a.UdpPayloadSize == b.UdpPayloadSize && a.Servers.SequenceEqual(b.Servers)
        && a.DnssecValidating == b.DnssecValidating;

    /// <summary>The client asking the servers, with the settings it was built from.</summary>
    private sealed record Upstream(LookupClient Client, DnsResolverOptions Options);
}
