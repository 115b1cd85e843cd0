using System.Net;

namespace Gateway.Smtp.Server.Listeners;

/// <summary>
/// Open sessions in total and per client address, owned by one <see cref="SmtpServer"/> (never static, so two
/// servers in one process do not share limits). The limits come from the connection being admitted.
/// </summary>
internal sealed class ConnectionCounter
{
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, int> _perClient = [];
    private int _total;

    public int Total
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>Counts the connection in, or says which limit it would break (nothing is counted then).</summary>
    public ConnectionAdmission TryAdmit(IPAddress client, int maxTotal, int maxPerClient)
    {
        var key = Normalize(client);
        lock (_lock)
        {
            if (_total >= maxTotal)
            {
                return ConnectionAdmission.TotalLimit;
            }

            _perClient.TryGetValue(key, out var current);
            if (current >= maxPerClient)
            {
                return ConnectionAdmission.PerClientLimit;
            }

            _perClient[key] = current + 1;
            _total++;
            return ConnectionAdmission.Admitted;
        }
    }

    public void Release(IPAddress client)
    {
        var key = Normalize(client);
        lock (_lock)
        {
            if (_perClient.TryGetValue(key, out var current))
            {
                if (current <= 1)
                {
                    _perClient.Remove(key);
                }
                else
                {
                    _perClient[key] = current - 1;
                }

                _total--;
            }
        }
    }

    /// <summary>An IPv4 client seen through a dual-mode socket (::ffff:a.b.c.d) is the same client as a.b.c.d.</summary>
    internal static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
