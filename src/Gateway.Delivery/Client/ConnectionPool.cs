using Gateway.Delivery.Routing;

namespace Gateway.Delivery.Client;

/// <summary>
/// Keeps connections for a few seconds after a transaction so the next message to the same next hop skips the
/// TCP, greeting, EHLO and STARTTLS round trips. Each connection is used by one transaction at a time: renting
/// removes it from the pool. A connection keeps the TLS state it was opened with, so the hop's TLS requirement
/// is part of the key: one opened without certificate verification never serves where verification is required.
/// </summary>
internal sealed class ConnectionPool : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Stack<SmtpConnection>> _idle = new(StringComparer.Ordinal);
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

    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(5);

    public static string KeyOf(NextHop hop) => hop.PoolKey;

    /// <summary>An idle connection to the hop that still looks alive, or null.</summary>
    public SmtpConnection? TryRent(NextHop hop)
    {
        var key = KeyOf(hop);
        List<SmtpConnection> expired = [];
        SmtpConnection? found = null;
        lock (_gate)
        {
            if (_idle.TryGetValue(key, out var stack))
            {
                while (stack.Count > 0)
                {
                    var connection = stack.Pop();
                    if (connection.LooksAlive() && !IsExpired(connection))
                    {
                        found = connection;
                        break;
                    }

                    expired.Add(connection);
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

    /// <summary>Gives a connection back after a transaction that left it ready for the next; a broken one is closed.</summary>
    public void Return(NextHop hop, SmtpConnection connection)
    {
        if (!connection.IsUsable || _idleTimeout <= TimeSpan.Zero)
        {
            Close([connection]);
            return;
        }

        connection.IdleSince = _time.GetTimestamp();
        lock (_gate)
        {
            if (!_disposed)
            {
                var key = KeyOf(hop);
                if (!_idle.TryGetValue(key, out var stack))
                {
                    stack = new Stack<SmtpConnection>();
                    _idle[key] = stack;
                }

                stack.Push(connection);
                return;
            }
        }

        Close([connection]);
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
        List<SmtpConnection> all;
        lock (_gate)
        {
            _disposed = true;
            all = _idle.Values.SelectMany(s => s).ToList();
            _idle.Clear();
        }

        await _sweeper.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(all.Select(CloseAsync)).ConfigureAwait(false);
    }

    private bool IsExpired(SmtpConnection connection) => _time.GetElapsedTime(connection.IdleSince) >= _idleTimeout;

    private void Sweep()
    {
        List<SmtpConnection> expired = [];
        lock (_gate)
        {
            foreach (var (key, stack) in _idle.ToList())
            {
                var keep = stack.Where(c => c.IsUsable && !IsExpired(c)).Reverse().ToList();
                expired.AddRange(stack.Except(keep));
                if (keep.Count == 0)
                {
                    _idle.Remove(key);
                }
                else
                {
                    _idle[key] = new Stack<SmtpConnection>(keep);
                }
            }
        }

        Close(expired);
    }

    private static void Close(List<SmtpConnection> connections)
    {
        foreach (var connection in connections)
        {
            // Closing is best effort and must not hold up the caller: QUIT runs in the background.
            _ = CloseAsync(connection);
        }
    }

    // QUIT (RFC 5321 4.1.1.10) when the connection is in order; closing never throws.
    private static Task CloseAsync(SmtpConnection connection) => connection.QuitAsync(QuitTimeout);
}
