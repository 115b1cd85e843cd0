using System.Net;
using System.Net.Sockets;

namespace Gateway.Smtp.Server.Listeners;

/// <summary>One bound listening socket.</summary>
internal sealed class SmtpListener : IDisposable
{
    private readonly Socket _socket;

    private SmtpListener(SmtpListenerOptions options, Socket socket)
    {
        Options = options;
        _socket = socket;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public SmtpListenerOptions Options { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>Binds and listens; throws <see cref="ListenerBindException"/> when the address is unavailable.</summary>
    public static SmtpListener Bind(SmtpListenerOptions options)
    {
        var socket = new Socket(options.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (options.EndPoint.AddressFamily == AddressFamily.InterNetworkV6 && options.EndPoint.Address.Equals(IPAddress.IPv6Any))
            {
                // "[::]" means every address, IPv4 included (clients are normalised back to IPv4).
                socket.DualMode = true;
            }

            socket.Bind(options.EndPoint);
            socket.Listen(options.Backlog);
            return new SmtpListener(options, socket);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ListenerBindException(options.Name, options.EndPoint, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public ValueTask<Socket> AcceptAsync(CancellationToken cancellationToken) => _socket.AcceptAsync(cancellationToken);

    public void Dispose() => _socket.Dispose();
}
