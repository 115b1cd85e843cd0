using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Abstractions;

namespace Gateway.Dns;

/// <summary>
/// An <see cref="IDnsResolver"/> answering from zones built in code, for tests and for rules that must be
/// checked without a network (STYLE habit 6: every external lookup has a fixture-driven fake).
/// Names compare case-insensitively and a trailing dot is ignored. A name with records of some type answers
/// NoData for the other types, and so does an empty non-terminal (a name with nothing of its own but names
/// below it, RFC 8020); a name with nothing at or below it answers NxDomain. A CNAME is followed as a
/// recursive resolver would (RFC 1034 3.6.2), a loop or a chain longer than 8 answering ServerFailure.
/// <see cref="SetStatus(string, DnsStatus)"/> forces an outcome (SERVFAIL, timeout, NXDOMAIN...) for every
/// question about a name, <see cref="SetStatus(string, DnsRecordType, DnsStatus)"/> for one type only.
/// Answers about names at or below a zone passed to <see cref="SetSigned"/> come back authenticated, as from a
/// validating resolver with the AD bit set. Safe to use from several threads.
/// </summary>
public sealed class InMemoryDnsResolver : IDnsResolver
{
    /// <summary>How many CNAMEs are followed before the chain counts as broken.</summary>
    private const int MaxCnameChain = 8;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _queries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _signedZones = new(StringComparer.Ordinal);

    /// <summary>The TTL reported with every answer.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Adds an MX record. Use "." as host for the RFC 7505 null MX.</summary>
    public InMemoryDnsResolver AddMx(string domain, int preference, string host)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(preference);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(preference, ushort.MaxValue);
        ArgumentNullException.ThrowIfNull(host);
        lock (_gate)
        {
            NodeFor(domain).Mx.Add(new MxRecord(preference, DnsNames.Normalize(host)));
        }

        return this;
    }

    /// <summary>Adds an address record: A for an IPv4 address, AAAA for an IPv6 one.</summary>
    public InMemoryDnsResolver AddA(string host, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_gate)
        {
            var node = NodeFor(host);
            (address.AddressFamily == AddressFamily.InterNetwork ? node.A : node.Aaaa).Add(address);
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
            NodeFor(name).Txt.Add(text);
        }

        return this;
    }

    /// <summary>
    /// Adds one TXT record made of several character-strings (each at most 255 octets, RFC 1035 3.3.14),
    /// answered joined without separator as a real resolver's answer would be. No strings at all is legal
    /// on the wire only in a broken zone, and answers the empty string.
    /// </summary>
    public InMemoryDnsResolver AddTxtStrings(string name, IReadOnlyList<string> characterStrings)
    {
        ArgumentNullException.ThrowIfNull(characterStrings);
        foreach (var part in characterStrings)
        {
            ArgumentNullException.ThrowIfNull(part, nameof(characterStrings));
            if (Encoding.UTF8.GetByteCount(part) > 255)
            {
                throw new ArgumentException("A TXT character-string holds at most 255 octets (RFC 1035 3.3.14).", nameof(characterStrings));
            }
        }

        return AddTxt(name, string.Concat(characterStrings));
    }

    /// <summary>Adds a PTR record at the reverse name of <paramref name="address"/>.</summary>
    public InMemoryDnsResolver AddPtr(IPAddress address, string host) => AddPtr(ReverseNames.For(address), host);

    /// <summary>Adds a PTR record at a reverse name given as text ("4.3.2.1.in-addr.arpa").</summary>
    public InMemoryDnsResolver AddPtr(string reverseName, string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        lock (_gate)
        {
            NodeFor(reverseName).Ptr.Add(DnsNames.Normalize(host));
        }

        return this;
    }

    /// <summary>Adds a TLSA record (RFC 6698), e.g. at "_25._tcp.mx.example.org".</summary>
    public InMemoryDnsResolver AddTlsa(string name, TlsaRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            NodeFor(name).Tlsa.Add(record);
        }

        return this;
    }

    /// <summary>
    /// Marks a zone as DNSSEC-signed (and validated): every answer about a name at or below it, positive or
    /// negative, is authenticated. Answers whose CNAME chain leaves the signed zones are not.
    /// </summary>
    public InMemoryDnsResolver SetSigned(string zone)
    {
        lock (_gate)
        {
            _signedZones.Add(DnsNames.Normalize(zone));
        }

        return this;
    }

    /// <summary>Makes <paramref name="alias"/> a CNAME of <paramref name="target"/> (RFC 1034 3.6.2).</summary>
    public InMemoryDnsResolver AddCname(string alias, string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (_gate)
        {
            NodeFor(alias).Cname = DnsNames.Normalize(target);
        }

        return this;
    }

    /// <summary>
    /// Forces the outcome of every question about <paramref name="name"/> (e.g. <see cref="DnsStatus.ServerFailure"/>
    /// to simulate SERVFAIL). <see cref="DnsStatus.Ok"/> removes the override.
    /// </summary>
    public InMemoryDnsResolver SetStatus(string name, DnsStatus status)
    {
        lock (_gate)
        {
            var node = NodeFor(name);
            node.Forced = status == DnsStatus.Ok ? null : status;
        }

        return this;
    }

    /// <summary>
    /// Forces the outcome of the questions of one type about <paramref name="name"/>, e.g. a server that times
    /// out on TXT but answers A. <see cref="DnsStatus.Ok"/> removes the override.
    /// </summary>
    public InMemoryDnsResolver SetStatus(string name, DnsRecordType type, DnsStatus status)
    {
        lock (_gate)
        {
            var node = NodeFor(name);
            if (status == DnsStatus.Ok)
            {
                node.ForcedByType.Remove(type);
            }
            else
            {
                node.ForcedByType[type] = status;
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

    public ValueTask<DnsAnswer<MxRecord>> GetMxAsync(string domain, CancellationToken ct) =>
        ValueTask.FromResult(Answer(domain, DnsRecordType.Mx, static n => n.Mx, ct));

    public ValueTask<DnsAnswer<IPAddress>> GetAddressesAsync(string host, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var a = AnswerLocked(host, DnsRecordType.A, static n => n.A);
            var aaaa = AnswerLocked(host, DnsRecordType.Aaaa, static n => n.Aaaa, countQuery: false);
            return ValueTask.FromResult(Combine(a, aaaa));
        }
    }

    public ValueTask<DnsAnswer<string>> GetTxtAsync(string name, CancellationToken ct) =>
        ValueTask.FromResult(Answer(name, DnsRecordType.Txt, static n => n.Txt, ct));

    public ValueTask<DnsAnswer<IPAddress>> GetAAsync(string host, CancellationToken ct) =>
        ValueTask.FromResult(Answer(host, DnsRecordType.A, static n => n.A, ct));

    public ValueTask<DnsAnswer<IPAddress>> GetAaaaAsync(string host, CancellationToken ct) =>
        ValueTask.FromResult(Answer(host, DnsRecordType.Aaaa, static n => n.Aaaa, ct));

    public ValueTask<DnsAnswer<string>> GetPtrAsync(IPAddress address, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(address);
        return ValueTask.FromResult(Answer(ReverseNames.For(address), DnsRecordType.Ptr, static n => n.Ptr, ct));
    }

    public ValueTask<DnsAnswer<TlsaRecord>> GetTlsaAsync(string name, CancellationToken ct) =>
        ValueTask.FromResult(Answer(name, DnsRecordType.Tlsa, static n => n.Tlsa, ct));

    /// <summary>Same rule as the real resolver: records of either family win; otherwise the worse outcome.</summary>
    private DnsAnswer<IPAddress> Combine(DnsAnswer<IPAddress> a, DnsAnswer<IPAddress> aaaa)
    {
        var authenticated = a.Authenticated && aaaa.Authenticated;
        if (a.Records.Count + aaaa.Records.Count > 0)
        {
            return new DnsAnswer<IPAddress>(DnsStatus.Ok, [.. a.Records, .. aaaa.Records], Ttl, authenticated);
        }

        foreach (var status in new[] { a.Status, aaaa.Status })
        {
            if (status is DnsStatus.ServerFailure or DnsStatus.Timeout)
            {
                return new DnsAnswer<IPAddress>(status, [], TimeSpan.Zero);
            }
        }

        var nx = a.Status == DnsStatus.NxDomain || aaaa.Status == DnsStatus.NxDomain;
        return new DnsAnswer<IPAddress>(nx ? DnsStatus.NxDomain : DnsStatus.NoData, [], Ttl, authenticated);
    }

    private DnsAnswer<T> Answer<T>(string name, DnsRecordType type, Func<Node, List<T>> select, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return AnswerLocked(name, type, select);
        }
    }

    private DnsAnswer<T> AnswerLocked<T>(string name, DnsRecordType type, Func<Node, List<T>> select, bool countQuery = true)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = DnsNames.Normalize(name);
        if (countQuery)
        {
            _queries[key] = _queries.GetValueOrDefault(key) + 1;
        }

        var authenticated = true;
        for (var hops = 0; hops <= MaxCnameChain; hops++)
        {
            // Every name of a CNAME chain must be secure for the answer to be (RFC 4035 5).
            authenticated &= IsSigned(key);
            _nodes.TryGetValue(key, out var node);
            if (node?.Forced is { } forced)
            {
                return new DnsAnswer<T>(forced, [], TimeSpan.Zero);
            }

            if (node is not null && node.ForcedByType.TryGetValue(type, out var forcedForType))
            {
                return new DnsAnswer<T>(forcedForType, [], TimeSpan.Zero);
            }

            if (node is null || !node.HasData)
            {
                var status = HasDescendant(key) ? DnsStatus.NoData : DnsStatus.NxDomain;
                return new DnsAnswer<T>(status, [], Ttl, authenticated);
            }

            if (node.Cname is { } target)
            {
                key = target;
                continue;
            }

            var records = select(node);
            return records.Count > 0
                ? new DnsAnswer<T>(DnsStatus.Ok, records.ToArray(), Ttl, authenticated)
                : new DnsAnswer<T>(DnsStatus.NoData, [], Ttl, authenticated);
        }

        // A CNAME loop or an over-long chain: recursive resolvers give up with SERVFAIL.
        return new DnsAnswer<T>(DnsStatus.ServerFailure, [], TimeSpan.Zero);
    }

    private bool IsSigned(string key)
    {
        foreach (var zone in _signedZones)
        {
            if (key == zone || key.EndsWith("." + zone, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private bool HasDescendant(string key)
    {
        var suffix = "." + key;
        foreach (var (name, node) in _nodes)
        {
            if (node.HasData && name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private Node NodeFor(string name)
    {
        var key = DnsNames.Normalize(name);
        if (!_nodes.TryGetValue(key, out var node))
        {
            node = new Node();
            _nodes[key] = node;
        }

        return node;
    }

    private sealed class Node
    {
        public List<MxRecord> Mx { get; } = [];

        public List<IPAddress> A { get; } = [];

        public List<IPAddress> Aaaa { get; } = [];

        public List<string> Txt { get; } = [];

        public List<string> Ptr { get; } = [];

        public List<TlsaRecord> Tlsa { get; } = [];

        public string? Cname { get; set; }

        public DnsStatus? Forced { get; set; }

        public bool HasData => Mx.Count + A.Count + Aaaa.Count + Txt.Count + Ptr.Count + Tlsa.Count > 0 || Cname is not null;

        public Dictionary<DnsRecordType, DnsStatus> ForcedByType { get; } = [];
    }
}
