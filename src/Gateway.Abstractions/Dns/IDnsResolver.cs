using System.Net;

namespace Gateway.Abstractions;

/// <summary>
/// The gateway's only way to ask DNS. Implementations never throw for DNS outcomes (NXDOMAIN, SERVFAIL,
/// timeouts): those come back as a <see cref="DnsStatus"/>. Only cancellation throws. Names are given and
/// returned without the trailing root dot; they compare case-insensitively (RFC 4343).
/// </summary>
public interface IDnsResolver
{
    ValueTask<DnsAnswer<MxRecord>> GetMxAsync(string domain, CancellationToken ct);

    /// <summary>A and AAAA records of the host together.</summary>
    ValueTask<DnsAnswer<IPAddress>> GetAddressesAsync(string host, CancellationToken ct);

    /// <summary>
    /// Each TXT record's character-strings joined without separator (RFC 7208 3.3). A record with no
    /// character-string at all comes back as the empty string.
    /// </summary>
    ValueTask<DnsAnswer<string>> GetTxtAsync(string name, CancellationToken ct);

    /// <summary>
    /// The A records of the host only (RFC 1035 3.4.1). SPF asks one address family, the one of the client
    /// (RFC 7208 5.3), so a failure of the other family's question must not leak into its result.
    /// </summary>
    ValueTask<DnsAnswer<IPAddress>> GetAAsync(string host, CancellationToken ct);

    /// <summary>The AAAA records of the host only (RFC 3596 2.1).</summary>
    ValueTask<DnsAnswer<IPAddress>> GetAaaaAsync(string host, CancellationToken ct);

    /// <summary>
    /// The PTR records of the address's reverse name (RFC 1035 3.5 in-addr.arpa, RFC 3596 2.5 ip6.arpa):
    /// the host names, lower-cased, without the trailing dot, in the order the server gave them. The names
    /// are not validated: whoever trusts one must look its addresses up forward (RFC 7208 5.5).
    /// </summary>
    ValueTask<DnsAnswer<string>> GetPtrAsync(IPAddress address, CancellationToken ct);

    /// <summary>
    /// The TLSA records at a name such as "_25._tcp.mx.example.org" (RFC 6698, RFC 7672 2.2). Usable for DANE
    /// only when <see cref="DnsAnswer{T}.Authenticated"/> is true.
    /// </summary>
    ValueTask<DnsAnswer<TlsaRecord>> GetTlsaAsync(string name, CancellationToken ct);
}
