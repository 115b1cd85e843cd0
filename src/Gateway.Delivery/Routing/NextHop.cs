using System.Net;
using Gateway.Transport.Policy;

namespace Gateway.Delivery.Routing;

/// <summary>
/// One address to try, in order, with the host name it came from (for logs and TLS SNI) and what TLS must give on
/// the way there: the level, the names and records that authenticate the server, and the TLS-RPT policy its
/// sessions count under. <see cref="Reported"/> is false for internal routes and the smarthost, which are not
/// reported to anyone.
/// </summary>
public sealed record NextHop(string Host, IPAddress Address, int Port, HopTlsRequirement Tls, bool Reported = false)
{
    /// <summary>Delivery must not go on without TLS that passed <see cref="Tls"/>.</summary>
    public bool RequireTls => Tls.TlsMandatory;

    /// <summary>
    /// What a pooled connection to this hop must have been opened for: the address and port, and every part of the
    /// TLS requirement that decided whether its certificate was accepted. A connection is reused only under an
    /// identical requirement, never for a stricter one it was not checked against.
    /// </summary>
    public string PoolKey => $"{Address}|{Port}|{Tls.PoolKey}";

    /// <summary>Postfix's "host[address]:port" form, used in logs and as RemoteMta.</summary>
    public override string ToString() => $"{Host}[{Address}]:{Port}";
}
