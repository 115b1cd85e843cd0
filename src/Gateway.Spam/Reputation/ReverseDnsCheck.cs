using System.Net;
using System.Net.Sockets;
using Gateway.Abstractions;

namespace Gateway.Spam.Reputation;

/// <summary>
/// Forward-confirmed reverse DNS (FCrDNS): the PTR names of the client's address, then each name's addresses of the
/// client's family, one of which must be the client (the same check as SPF's validated domain name, RFC 7208 5.5).
/// Mail servers are expected to have it (RFC 1912 2.1; the large mailbox providers require it); a dynamic
/// address in a botnet rarely does. Bounded by one deadline for the whole check.
/// </summary>
public sealed class ReverseDnsCheck
{
    /// <summary>RFC 7208 4.6.4 and 5.5: at most 10 PTR names are followed, so a long PTR set cannot multiply lookups.</summary>
    private const int MaxNames = 10;

    private readonly IDnsResolver _dns;
    private readonly TimeProvider _time;

    public ReverseDnsCheck(IDnsResolver dns, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(time);
        _dns = dns;
        _time = time;
    }

    public async Task<ReverseDnsResult> CheckAsync(IPAddress client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await CheckAsync(client, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ReverseDnsResult(ReverseDnsOutcome.Failed, null, DnsStatus.Timeout);
        }
    }

    private async Task<ReverseDnsResult> CheckAsync(IPAddress client, CancellationToken cancellationToken)
    {
        var ptr = await _dns.GetPtrAsync(client, cancellationToken).ConfigureAwait(false);
        switch (ptr.Status)
        {
            case DnsStatus.NxDomain or DnsStatus.NoData:
                return new ReverseDnsResult(ReverseDnsOutcome.NotConfirmed, null, ptr.Status);
            case DnsStatus.ServerFailure or DnsStatus.Timeout:
                return new ReverseDnsResult(ReverseDnsOutcome.Failed, null, ptr.Status);
        }

        var v4 = client.AddressFamily == AddressFamily.InterNetwork;
        var names = ptr.Records.Distinct(StringComparer.OrdinalIgnoreCase).Take(MaxNames).ToList();
        var forward = await Task.WhenAll(names.Select(async name => v4
            ? await _dns.GetAAsync(name, cancellationToken).ConfigureAwait(false)
            : await _dns.GetAaaaAsync(name, cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
        for (var i = 0; i < names.Count; i++)
        {
            if (forward[i].Records.Any(a => (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(client)))
            {
                return new ReverseDnsResult(ReverseDnsOutcome.Confirmed, names[i], DnsStatus.Ok);
            }
        }

        // Nothing led back; if a forward lookup failed, the one that failed might have: no verdict then.
        return forward.FirstOrDefault(f => f.Status is DnsStatus.ServerFailure or DnsStatus.Timeout) is { } failed
            ? new ReverseDnsResult(ReverseDnsOutcome.Failed, null, failed.Status)
            : new ReverseDnsResult(ReverseDnsOutcome.NotConfirmed, null, ptr.Status);
    }
}
