using System.Net;
using Gateway.Abstractions;

namespace Gateway.Dns;

/// <summary>
/// An <see cref="IDnsResolver"/> answering from zones built in code, for tests and for rules that must be
/// checked without a network (STYLE habit 6: every external lookup has a fixture-driven fake).
/// Names compare case-insensitively and a trailing dot is ignored. A name with records of some type answers
/// NoData for the other types; a name with no records at all answers NxDomain; <see cref="SetStatus"/> forces
/// an outcome (SERVFAIL, timeout, NXDOMAIN...) for every question about a name. Safe to use from several threads.
/// </summary>
public sealed class InMemoryDnsResolver : IDnsResolver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<MxRecord>> _mx = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<IPAddress>> _addresses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _txt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DnsStatus> _forced = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _queries = new(StringComparer.Ordinal);

    /// <summary>The TTL reported with every answer.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Adds an MX record. Use "." as host for the RFC 7505 null MX.</summary>
    public InMemoryDnsResolver AddMx(string domain, int preference, string host)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(preference);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(preference, ushort.MaxValue);
        lock (_gate)
        {
            Add(_mx, domain, new MxRecord(preference, DnsNames.Normalize(host)));
        }

        return this;
    }

    /// <summary>Adds an address record: A for an IPv4 address, AAAA for an IPv6 one.</summary>
    public InMemoryDnsResolver AddA(string host, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_gate)
        {
            Add(_addresses, host, address);
        }

        return this;
    }

    /// <summary>Adds an address record from its text form ("192.0.2.1", "2001:db8::1").</summary>
    public InMemoryDnsResolver AddA(string host, string address) => AddA(host, IPAddress.Parse(address));

    /// <summary>Adds one TXT record (already joined, as <see cref="IDnsResolver.GetTxtAsync"/> returns it).</summary>
    public InMemoryDnsResolver AddTxt(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            Add(_txt, name, text);
        }

        return this;
    }

    /// <summary>
    /// Forces the outcome of every question about <paramref name="name"/> (e.g. <see cref="DnsStatus.ServerFailure"/>
    /// to simulate SERVFAIL). <see cref="DnsStatus.Ok"/> removes the override.
    /// </summary>
    public InMemoryDnsResolver SetStatus(string name, DnsStatus status)
    {
        var key = DnsNames.Normalize(name);
        lock (_gate)
        {
            if (status == DnsStatus.Ok)
            {
                _forced.Remove(key);
            }
            else
            {
                _forced[key] = status;
            }
        }

        return this;
    }

    /// <summary>How many questions (of any type) were asked about the name: lets tests see what was looked up.</summary>
    public int QueryCount(string name)
    {
        lock (_gate)
        {
            return _queries.GetValueOrDefault(DnsNames.Normalize(name));
        }
    }

    public ValueTask<DnsAnswer<MxRecord>> GetMxAsync(string domain, CancellationToken ct) => Answer(_mx, domain, ct);

    public ValueTask<DnsAnswer<IPAddress>> GetAddressesAsync(string host, CancellationToken ct) => Answer(_addresses, host, ct);

    public ValueTask<DnsAnswer<string>> GetTxtAsync(string name, CancellationToken ct) => Answer(_txt, name, ct);

    private static void Add<T>(Dictionary<string, List<T>> table, string name, T value)
    {
        var key = DnsNames.Normalize(name);
        if (!table.TryGetValue(key, out var list))
        {
            list = [];
            table[key] = list;
        }

        list.Add(value);
    }

    private ValueTask<DnsAnswer<T>> Answer<T>(Dictionary<string, List<T>> table, string name, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var key = DnsNames.Normalize(name);
        lock (_gate)
        {
            _queries[key] = _queries.GetValueOrDefault(key) + 1;
            if (_forced.TryGetValue(key, out var forced))
            {
                return ValueTask.FromResult(new DnsAnswer<T>(forced, [], TimeSpan.Zero));
            }

            if (table.TryGetValue(key, out var records))
            {
                return ValueTask.FromResult(new DnsAnswer<T>(DnsStatus.Ok, records.ToArray(), Ttl));
            }

            var exists = _mx.ContainsKey(key) || _addresses.ContainsKey(key) || _txt.ContainsKey(key);
            return ValueTask.FromResult(new DnsAnswer<T>(exists ? DnsStatus.NoData : DnsStatus.NxDomain, [], Ttl));
        }
    }
}
