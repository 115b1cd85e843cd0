using System.Net;

namespace Gateway.Policy;

/// <summary>The admin HTTP endpoint (admin:).</summary>
public sealed record AdminPolicy
{
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 8025);
}
