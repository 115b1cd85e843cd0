using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

/// <summary>Finds loopback ports for test processes that must be told their port up front.</summary>
public static class FreePort
{
    public static int Next() => Many(1)[0];

    /// <summary>
    /// Several distinct free ports: all listeners stay open until every port is chosen, so the kernel cannot
    /// hand the same ephemeral port out twice within one call.
    /// </summary>
    public static int[] Many(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
