using System.Net;

namespace Gateway.Policy;

/// <summary>One SMTP listener (an entry of listeners:).</summary>
public sealed record ListenerPolicy
{
    /// <summary>Unique name, [a-z0-9-]+, used in logs.</summary>
    public required string Name { get; init; }

    public required IPEndPoint EndPoint { get; init; }

    public ListenerTls Tls { get; init; } = ListenerTls.StartTls;

    /// <summary>MAIL before TLS is refused with 530 5.7.0 (RFC 3207 4).</summary>
    public bool RequireTls { get; init; }

    /// <summary>
    /// Offer AUTH (after TLS) on this listener. Only takes effect when auth.credentials_file is set: without a
    /// credentials file AUTH is simply not offered, which is not an error.
    /// </summary>
    public bool Auth { get; init; } = true;

    /// <summary>
    /// A submission listener: MAIL before a successful AUTH is refused with 530 5.7.0 (RFC 4954 6), so no client on it
    /// is anonymous and the pre-DATA reputation lookups (DNS lists, reverse DNS) are not started at connect.
    /// </summary>
    public bool RequireAuth { get; init; }

    public ListenerProxyProtocol ProxyProtocol { get; init; } = ListenerProxyProtocol.Off;

    /// <summary>Peers allowed to send a PROXY header; non-empty whenever <see cref="ProxyProtocol"/> is not Off.</summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>Wait before the banner, to catch clients that talk first.</summary>
    public TimeSpan PregreetDelay { get; init; } = TimeSpan.Zero;

    public bool RejectEarlyTalkers { get; init; } = true;

    // By value, the proxy list too (a record compares it by reference): a reload compares the listeners it read with
    // the ones bound at start to say whether a restart is needed, and must not say so for an unchanged file.
    // A property added above must be added here.
    public bool Equals(ListenerPolicy? other) =>
        other is not null
        && Name == other.Name
        && EndPoint.Equals(other.EndPoint)
        && Tls == other.Tls
        && RequireTls == other.RequireTls
        && Auth == other.Auth
        && RequireAuth == other.RequireAuth
        && ProxyProtocol == other.ProxyProtocol
        && TrustedProxies.SequenceEqual(other.TrustedProxies)
        && PregreetDelay == other.PregreetDelay
        && RejectEarlyTalkers == other.RejectEarlyTalkers;

    public override int GetHashCode() => HashCode.Combine(Name, EndPoint, Tls, RequireTls, Auth, RequireAuth, ProxyProtocol, PregreetDelay);
}
