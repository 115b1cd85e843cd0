using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

/// <summary>Finds loopback ports for test processes that must be told their port up front.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
