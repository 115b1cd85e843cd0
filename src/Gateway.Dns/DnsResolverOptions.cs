using System.Net;

namespace Gateway.Dns;

/// <summary>Settings of <see cref="DnsClientResolver"/> (policy keys under <c>dns:</c>).</summary>
public sealed record DnsResolverOptions
{
    /// <summary>Recursive resolvers to ask, in order. Empty: the system's (/etc/resolv.conf).</summary>
    public IReadOnlyList<IPEndPoint> Servers { get; init; } = [];

    /// <summary>How long to wait for one server's answer before retrying or moving on.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Further tries per server after the first one timed out.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>
    /// The EDNS(0) UDP payload size advertised (RFC 6891 6.2.5). 1232 octets avoids IP fragmentation on
    /// any path (DNS Flag Day 2020); larger answers come back truncated and are asked again over TCP
    /// (RFC 7766 5). 512 or less sends no EDNS option at all (plain RFC 1035 4.2.1 limit).
    /// </summary>
    public int UdpPayloadSize { get; init; } = 1232;

    /// <summary>How many answers the cache keeps at most; 0 turns caching off.</summary>
    public int MaxCacheEntries { get; init; } = 10_000;

    /// <summary>
    /// How many bytes (estimated managed-heap size) the cached answers take at most; 0 turns caching off. A TXT
    /// answer (SPF, DKIM keys) can be up to 64 KiB on the wire, so the entry count alone bounds nothing: 8 MiB
    /// holds the 10,000 answers of ordinary mail flow (a few hundred bytes each) with room to spare.
    /// </summary>
    public long MaxCacheBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Upper bound on how long a positive answer is cached, whatever its TTL says (RFC 8767 4 caps at 7 days).</summary>
    public TimeSpan MaxTtl { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Upper bound on how long NXDOMAIN/NODATA answers are cached (RFC 2308 5: one to three hours).</summary>
    public TimeSpan MaxNegativeTtl { get; init; } = TimeSpan.FromHours(3);

    /// <summary>
    /// How long a negative answer without an SOA in its authority section is cached: RFC 2308 5 says such
    /// an answer SHOULD NOT be cached for long, so a short fixed time keeps a flood of misses off the wire.
    /// </summary>
    public TimeSpan NegativeTtlWithoutSoa { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The configured servers validate DNSSEC and we trust what they say (Postfix's smtp_dns_support_level =
    /// dnssec): questions carry the DO bit (RFC 3225) so a validating resolver reports its verdict in the AD bit
    /// (RFC 6840 5.7), and answers with the AD bit set count as authenticated. Only sensible for a resolver on
    /// this host or reached over a trusted path (RFC 4035 4.9.3): the AD bit itself is not protected. Off, no
    /// answer is ever authenticated and DANE is never used.
    /// </summary>
    public bool DnssecValidating { get; init; }
}
