using System.Net;

namespace Gateway.Smtp.Server;

/// <summary>One listening socket.</summary>
public sealed record SmtpListenerOptions
{
    /// <summary>Shown in logs and handed to the session handler as <c>SessionFacts.ListenerName</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Address and port to bind; port 0 picks a free port (see <see cref="SmtpServer.BoundEndPoints"/>).</summary>
    public required IPEndPoint EndPoint { get; init; }

    public ListenerTlsMode Tls { get; init; } = ListenerTlsMode.StartTls;

    public ProxyProtocolMode ProxyProtocol { get; init; }

    /// <summary>
    /// Peers allowed to send a PROXY header. A connection from any other peer on a PROXY listener is closed
    /// at once: a header from an untrusted peer would let anyone claim any client address (and so any relay right).
    /// </summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>Pending-connection queue length handed to listen(2).</summary>
    public int Backlog { get; init; } = 1024;
}
