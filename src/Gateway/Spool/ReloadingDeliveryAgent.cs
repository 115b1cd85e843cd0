using Gateway.Delivery;
using Gateway.Delivery.Client;
using Gateway.Delivery.Routing;
using Gateway.Dns;
using Gateway.Policy;
using Gateway.Queue.Scheduling;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Spool;

/// <summary>
/// The delivery agent for the policy in force: a reload that changes routes, the smarthost, DNS servers or
/// limits builds a new agent for new attempts, while attempts already running finish on the old one.
/// </summary>
internal sealed class ReloadingDeliveryAgent : IDeliveryAgent, IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly List<SmtpDeliveryAgent> _retired = [];
    private Generation _current;

    public ReloadingDeliveryAgent(GatewayPolicy policy, TimeProvider time, ILoggerFactory loggers)
    {
        _time = time;
        _loggers = loggers;
        _current = new Generation(policy.Delivery, policy.Dns, policy.HostName, Build(policy));
    }

    public ValueTask<IReadOnlyList<RecipientOutcome>> DeliverAsync(DeliveryJob job, CancellationToken cancellationToken) =>
        Volatile.Read(ref _current).Agent.DeliverAsync(job, cancellationToken);

    public void Apply(GatewayPolicy policy)
    {
        var current = Volatile.Read(ref _current);
        if (current.Delivery == policy.Delivery && current.Dns == policy.Dns && current.HostName == policy.HostName)
        {
            return;
        }

        Volatile.Write(ref _current, new Generation(policy.Delivery, policy.Dns, policy.HostName, Build(policy)));
        lock (_retired)
        {
            // Kept until shutdown: an attempt may still be using its pooled connections. Reloads are rare.
            _retired.Add(current.Agent);
        }
    }

    public static DeliveryOptions ToOptions(GatewayPolicy policy)
    {
        var delivery = policy.Delivery;
        return new DeliveryOptions
        {
            HostName = policy.HostName,
            Port = delivery.Port,
            Smarthost = delivery.Smarthost is { } smarthost ? new RouteHost(smarthost.Host, smarthost.Port, 0, false) : null,
            Routes = delivery.Routes.ToDictionary(
                route => route.Key,
                route => (IReadOnlyList<RouteHost>)route.Value.Select(h => new RouteHost(h.Host, h.Port, h.Preference, h.RequireTls)).ToList(),
                StringComparer.OrdinalIgnoreCase),
            Concurrency = delivery.Concurrency,
            ConcurrencyPerDestination = delivery.ConcurrencyPerDestination,
            ConnectTimeout = delivery.ConnectTimeout,
            CommandTimeout = delivery.CommandTimeout,
            ListenerEndPoints = policy.Listeners.Select(l => l.EndPoint).ToList(),
        };
    }

    private SmtpDeliveryAgent Build(GatewayPolicy policy)
    {
        var options = ToOptions(policy);
        var resolver = new DnsClientResolver(
            new DnsResolverOptions { Servers = policy.Dns.Servers, Timeout = policy.Dns.Timeout },
            _loggers.CreateLogger<DnsClientResolver>());
        var router = new Router(options, resolver, _loggers.CreateLogger<Router>());
        return new SmtpDeliveryAgent(options, router, _time, _loggers.CreateLogger<SmtpDeliveryAgent>());
    }

    public async ValueTask DisposeAsync()
    {
        await Volatile.Read(ref _current).Agent.DisposeAsync().ConfigureAwait(false);
        List<SmtpDeliveryAgent> retired;
        lock (_retired)
        {
            retired = [.. _retired];
        }

        foreach (var agent in retired)
        {
            await agent.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed record Generation(DeliveryPolicy Delivery, DnsPolicy Dns, string HostName, SmtpDeliveryAgent Agent);
}
