using System.Net;

namespace Gateway.Delivery.Routing;

/// <summary>One address to try, in order, with the host name it came from (for logs and TLS SNI).</summary>
public sealed record NextHop(string Host, IPAddress Address, int Port, bool RequireTls)
{
    /// <summary>Postfix's "host[address]:port" form, used in logs and as RemoteMta.</summary>
    public override string ToString() => $"{Host}[{Address}]:{Port}";
}
