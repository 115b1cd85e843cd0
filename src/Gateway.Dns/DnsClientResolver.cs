using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Gateway.Abstractions;
using Microsoft.Extensions.Logging;
using MxRecord = Gateway.Abstractions.MxRecord;

namespace Gateway.Dns;

/// <summary>
/// <see cref="IDnsResolver"/> over DnsClient's <see cref="LookupClient"/>: asks the configured recursive
/// resolvers (or the system's), caches answers for their TTL, retries over TCP when a UDP answer is truncated
/// (RFC 1035 4.2.1 / RFC 7766 5) and turns every DNS outcome into a <see cref="DnsStatus"/> instead of an
/// exception (STYLE habit 5: infrastructure failure is a temporary error, never a crash).
/// </summary>
public sealed class DnsClientResolver : IDnsResolver
{
    private readonly LookupClient _client;
    private readonly ILogger<DnsClientResolver> _logger;

    public DnsClientResolver(DnsResolverOptions options, ILogger<DnsClientResolver> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.Retries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Retries, "Retries cannot be negative.");
        }

        var clientOptions = options.Servers.Count == 0
            ? new LookupClientOptions()
            : new LookupClientOptions(options.Servers.ToArray());
        clientOptions.UseCache = true;
        clientOptions.Timeout = options.Timeout;
        clientOptions.Retries = options.Retries;
        clientOptions.UseTcpFallback = true;

        // Error answers come back as responses we classify ourselves; only transport failures throw.
        clientOptions.ThrowDnsErrors = false;

        // NXDOMAIN is an answer, not a server problem: asking the next server would only repeat it.
        // SERVFAIL/REFUSED still make DnsClient try the next configured server (ContinueOnDnsError).
        clientOptions.ContinueOnDnsError = true;
        clientOptions.ContinueOnEmptyResponse = false;
        _client = new LookupClient(clientOptions);
        _logger = logger;
    }

    public async ValueTask<DnsAnswer<MxRecord>> GetMxAsync(string domain, CancellationToken ct)
    {
        var (status, response) = await QueryAsync(domain, QueryType.MX, ct).ConfigureAwait(false);
        if (response is null)
        {
            return new DnsAnswer<MxRecord>(status, [], TimeSpan.Zero);
        }

        var records = response.Answers.MxRecords().ToList();
        var mx = records
            .Select(r => new MxRecord(r.Preference, DnsNames.Normalize(r.Exchange.Value)))
            .ToList();
        return Build(status, response, mx, records);
    }

    public async ValueTask<DnsAnswer<IPAddress>> GetAddressesAsync(string host, CancellationToken ct)
    {
        // A and AAAA are separate questions (RFC 3596); asked together, answered as one list.
        var v4Task = QueryAsync(host, QueryType.A, ct).AsTask();
        var v6Task = QueryAsync(host, QueryType.AAAA, ct).AsTask();
        var (v4Status, v4) = await v4Task.ConfigureAwait(false);
        var (v6Status, v6) = await v6Task.ConfigureAwait(false);

        var a = v4 is null ? [] : v4.Answers.ARecords().ToList();
        var aaaa = v6 is null ? [] : v6.Answers.AaaaRecords().ToList();
        var addresses = a.Select(r => r.Address).Concat(aaaa.Select(r => r.Address)).ToList();
        var all = a.Cast<DnsResourceRecord>().Concat(aaaa).ToList();

        if (addresses.Count > 0)
        {
            return new DnsAnswer<IPAddress>(DnsStatus.Ok, addresses, MinimumTtl(all));
        }

        var status = CombineEmpty(v4Status, v6Status);
        var ttl = status is DnsStatus.NxDomain or DnsStatus.NoData
            ? NegativeTtl(v4 ?? v6)
            : TimeSpan.Zero;
        return new DnsAnswer<IPAddress>(status, [], ttl);
    }

    public async ValueTask<DnsAnswer<string>> GetTxtAsync(string name, CancellationToken ct)
    {
        var (status, response) = await QueryAsync(name, QueryType.TXT, ct).ConfigureAwait(false);
        if (response is null)
        {
            return new DnsAnswer<string>(status, [], TimeSpan.Zero);
        }

        var records = response.Answers.TxtRecords().ToList();

        // RFC 7208 3.3: the character-strings of one TXT record are concatenated without separator.
        var texts = records.Select(r => string.Concat(r.Text)).ToList();
        return Build(status, response, texts, records);
    }

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

    private static DnsAnswer<T> Build<T>(DnsStatus status, IDnsQueryResponse response, List<T> values, IEnumerable<DnsResourceRecord> records)
    {
        if (status == DnsStatus.Ok && values.Count == 0)
        {
            // NOERROR but nothing of the asked type (only a CNAME chain, or an empty answer): RFC 2308 2.2 NODATA.
            return new DnsAnswer<T>(DnsStatus.NoData, [], NegativeTtl(response));
        }

        if (status != DnsStatus.Ok)
        {
            var ttl = status is DnsStatus.NxDomain or DnsStatus.NoData ? NegativeTtl(response) : TimeSpan.Zero;
            return new DnsAnswer<T>(status, [], ttl);
        }

        return new DnsAnswer<T>(DnsStatus.Ok, values, MinimumTtl(records));
    }

    private static TimeSpan MinimumTtl(IEnumerable<DnsResourceRecord> records)
    {
        var min = records.Select(r => r.TimeToLive).DefaultIfEmpty(0).Min();
        return TimeSpan.FromSeconds(Math.Max(0, min));
    }

    /// <summary>RFC 2308 5: a negative answer lives for the smaller of the SOA's TTL and its MINIMUM field.</summary>
    private static TimeSpan NegativeTtl(IDnsQueryResponse? response)
    {
        var soa = response?.Authorities.SoaRecords().FirstOrDefault();
        if (soa is null)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds(Math.Min((long)Math.Max(0, soa.TimeToLive), soa.Minimum));
    }

    private async ValueTask<(DnsStatus Status, IDnsQueryResponse? Response)> QueryAsync(string name, QueryType type, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(name);
        var typeName = type.ToString();
        ct.ThrowIfCancellationRequested();
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, type, QueryClass.IN, ct).ConfigureAwait(false);
        }
        catch (DnsResponseException) when (ct.IsCancellationRequested)
        {
            // DnsClient wraps a cancellation met mid-query; the caller asked to stop, so it gets the cancellation.
            throw new OperationCanceledException(ct);
        }
        catch (DnsResponseException ex) when (ex.Code == DnsResponseCode.ConnectionTimeout)
        {
            DnsLog.Failed(_logger, typeName, name, "timeout");
            return (DnsStatus.Timeout, null);
        }
        catch (DnsResponseException ex)
        {
            DnsLog.Failed(_logger, typeName, name, ex.Code.ToString());
            return (DnsStatus.ServerFailure, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // DnsClient reports its own per-query timeout as a cancellation on some paths.
            DnsLog.Failed(_logger, typeName, name, "timeout");
            return (DnsStatus.Timeout, null);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            DnsLog.Failed(_logger, typeName, name, ex.GetType().Name);
            return (DnsStatus.ServerFailure, null);
        }
        catch (ArgumentException ex)
        {
            // Not a valid DNS name (empty label, label over 63 octets, RFC 1035 2.3.4): no such name can exist.
            DnsLog.Failed(_logger, typeName, name, ex.Message);
            return (DnsStatus.NxDomain, null);
        }

        var status = Classify(response);
        DnsLog.Answered(_logger, typeName, name, status);
        return (status, response);
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
}
