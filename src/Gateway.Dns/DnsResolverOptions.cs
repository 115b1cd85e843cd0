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
}
