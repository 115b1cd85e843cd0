using System.Net;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// The real endpoints a load balancer reported. Both null for v1 "UNKNOWN" and v2 "LOCAL" (health checks and
/// the like): use the socket's own addresses.
/// </summary>
public sealed record ProxyHeader(IPEndPoint? Source, IPEndPoint? Destination);
