using System.Net;
using System.Net.Sockets;

namespace Gateway.Smtp.Server;

/// <summary>
/// A listener's address could not be bound at start. The message is what an admin acts on, in one line as Postfix
/// gives it ("bind 0.0.0.0 port 25: Address already in use"): the listener's name, the address, and for the causes
/// a deployment meets (the port taken, a privileged port without the capability, an address the machine does not
/// have) what it means. The socket error stays as the inner exception.
/// </summary>
public sealed class ListenerBindException : IOException
{
    // Linux: binding below net.ipv4.ip_unprivileged_port_start (1024 by default) needs CAP_NET_BIND_SERVICE.
    private const int FirstUnprivilegedPort = 1024;

    public ListenerBindException(string listenerName, IPEndPoint endPoint, SocketException inner)
        : base(Describe(listenerName, endPoint, inner), inner)
    {
        ListenerName = listenerName;
        EndPoint = endPoint;
        SocketError = inner.SocketErrorCode;
    }

    public string ListenerName { get; }

    public IPEndPoint EndPoint { get; }

    public SocketError SocketError { get; }

    private static string Describe(string listenerName, IPEndPoint endPoint, SocketException inner)
    {
        var reason = inner.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => "address already in use",
            SocketError.AccessDenied when endPoint.Port < FirstUnprivilegedPort =>
                "permission denied (a port below 1024 needs the CAP_NET_BIND_SERVICE capability, or root)",
            SocketError.AccessDenied => "permission denied",
            SocketError.AddressNotAvailable => "the address is not one of this machine's",
            _ => inner.Message,
        };
        return $"listener {listenerName}: cannot bind {endPoint}: {reason}";
    }
}
