using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Bench;

/// <summary>The few SMTP client steps the benchmarks need, with every wait bounded.</summary>
internal static class Smtp
{
    public static async Task WaitForGreetingAsync(IPEndPoint endPoint, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(endPoint).ConfigureAwait(false);
                await ReadGreetingAsync(client.GetStream()).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200).ConfigureAwait(false);
            }
        }
    }

    public static async Task ReadGreetingAsync(NetworkStream stream)
    {
        var line = await ReadLineAsync(stream).ConfigureAwait(false);
        if (!line.StartsWith("220", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"unexpected greeting '{line}'");
        }
    }

    public static async Task<string> ReadLineAsync(NetworkStream stream)
    {
        var sb = new StringBuilder();
        var one = new byte[1];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await stream.ReadAsync(one, cts.Token).ConfigureAwait(false) == 1)
        {
            if (one[0] == '\n')
            {
                return sb.ToString().TrimEnd('\r');
            }

            sb.Append((char)one[0]);
        }

        throw new IOException("connection closed");
    }
}
