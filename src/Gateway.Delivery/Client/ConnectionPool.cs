using Gateway.Delivery.Routing;

namespace Gateway.Delivery.Client;

/// <summary>
/// Keeps connected clients for a few seconds after a transaction so the next message to the same next hop
/// skips the TCP, greeting, EHLO and STARTTLS round trips. Each client is used by one transaction at a time:
/// renting removes it from the pool.
/// </summary>
internal sealed class ConnectionPool : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Stack<GatewaySmtpClient>> _idle = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleTimeout;
    private readonly ITimer _sweeper;
    private bool _disposed;

    public ConnectionPool(TimeProvider time, TimeSpan idleTimeout)
    {
        _time = time;
        _idleTimeout = idleTimeout;
        var period = idleTimeout > TimeSpan.FromSeconds(2) ? idleTimeout / 2 : TimeSpan.FromSeconds(1);
        _sweeper = time.CreateTimer(_ => Sweep(), null, period, period);
    }

    public static string KeyOf(NextHop hop) => $"{hop.Address}|{hop.Port}|{hop.Host}|{hop.RequireTls}";

    /// <summary>An idle connected client for the hop, or null.</summary>
    public GatewaySmtpClient? TryRent(NextHop hop)
    {
        var key = KeyOf(hop);
        List<GatewaySmtpClient> expired = [];
        GatewaySmtpClient? found = null;
        lock (_gate)
        {
            if (_idle.TryGetValue(key, out var stack))
            {
                while (stack.Count > 0)
                {
                    var client = stack.Pop();
                    if (client.IsConnected && !IsExpired(client))
                    {
                        found = client;
                        break;
                    }

                    expired.Add(client);
                }

                if (stack.Count == 0)
                {
                    _idle.Remove(key);
                }
            }
        }

        Close(expired);
        return found;
    }

    /// <summary>Gives a client back after a clean transaction; a disconnected one is disposed.</summary>
    public void Return(NextHop hop, GatewaySmtpClient client)
    {
        if (!client.IsConnected || _idleTimeout <= TimeSpan.Zero)
        {
            Close([client]);
            return;
        }

        client.Transaction = null;
        client.IdleSince = _time.GetTimestamp();
        lock (_gate)
        {
            if (!_disposed)
            {
                var key = KeyOf(hop);
                if (!_idle.TryGetValue(key, out var stack))
                {
                    stack = new Stack<GatewaySmtpClient>();
                    _idle[key] = stack;
                }

                stack.Push(client);
                return;
            }
        }

        Close([client]);
    }

    /// <summary>Number of idle connections (for tests and metrics).</summary>
    public int IdleCount
    {
        get
        {
            lock (_gate)
            {
                return _idle.Values.Sum(s => s.Count);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<GatewaySmtpClient> all;
        lock (_gate)
        {
            _disposed = true;
            all = _idle.Values.SelectMany(s => s).ToList();
            _idle.Clear();
        }

        await _sweeper.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(all.Select(CloseAsync)).ConfigureAwait(false);
    }

    private bool IsExpired(GatewaySmtpClient client) => _time.GetElapsedTime(client.IdleSince) >= _idleTimeout;

    private void Sweep()
    {
        List<GatewaySmtpClient> expired = [];
        lock (_gate)
        {
            foreach (var (key, stack) in _idle.ToList())
            {
                var keep = stack.Where(c => c.IsConnected && !IsExpired(c)).Reverse().ToList();
                expired.AddRange(stack.Except(keep));
                if (keep.Count == 0)
                {
                    _idle.Remove(key);
                }
                else
                {
                    _idle[key] = new Stack<GatewaySmtpClient>(keep);
                }
            }
        }

        Close(expired);
    }

    private static void Close(List<GatewaySmtpClient> clients)
    {
        foreach (var client in clients)
        {
            // Closing is best effort and must not hold up the caller: QUIT runs in the background.
            _ = CloseAsync(client);
        }
    }

    private static async Task CloseAsync(GatewaySmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await client.DisconnectAsync(true, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or MailKit.ProtocolException or MailKit.CommandException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // The peer may already be gone; the socket is released by Dispose below either way.
        }
        finally
        {
            client.Dispose();
        }
    }
}
