using System.Net;

namespace Gateway.Abstractions;

/// <summary>
/// The gateway's only way to ask DNS. Implementations never throw for DNS outcomes (NXDOMAIN, SERVFAIL,
/// timeouts): those come back as a <see cref="DnsStatus"/>. Only cancellation throws.
/// </summary>
public interface IDnsResolver
{
    ValueTask<DnsAnswer<MxRecord>> GetMxAsync(string domain, CancellationToken ct);

    /// <summary>A and AAAA records of the host together.</summary>
    ValueTask<DnsAnswer<IPAddress>> GetAddressesAsync(string host, CancellationToken ct);

    /// <summary>Each TXT record's character-strings joined without separator (RFC 7208 3.3).</summary>
    ValueTask<DnsAnswer<string>> GetTxtAsync(string name, CancellationToken ct);
}
