using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing.Peers;

/// <summary>Waiting for a peer process to listen: it either accepts a TCP connection in time or its exit and stderr explain why not.</summary>
public static class PeerStartup
{
    public static async Task WaitListeningAsync(string name, IPEndPoint endPoint, Process process, Task<string> stderr)
    {
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(stderr);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(endPoint);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{name} exited: " + await stderr);
                }

                await Task.Delay(50);
            }
        }
    }
}
