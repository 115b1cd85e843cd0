using Gateway.Abstractions;
using Gateway.Delivery;
using Gateway.Delivery.Client;
using Gateway.Delivery.Routing;
using Gateway.Policy;
using Gateway.Queue.Scheduling;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Spool;

/// <summary>
/// The delivery agent for the policy in force: a reload that changes routes, the smarthost or limits builds a new
/// agent for new attempts, while attempts already running finish on the old one. Every generation asks the host's
/// one resolver, whose cache outlives them (a change of DNS servers is applied to the resolver itself).
/// </summary>
internal sealed class ReloadingDeliveryAgent : IDeliveryAgent, IAsyncDisposable
{
    private readonly IDnsResolver _dns;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly List<SmtpDeliveryAgent> _retired = [];
    private Generation _current;

    public ReloadingDeliveryAgent(GatewayPolicy policy, IDnsResolver dns, TimeProvider time, ILoggerFactory loggers)
    {
        _dns = dns;
        _time = time;
        _loggers = loggers;
        _current = new Generation(policy.Delivery, policy.HostName, policy.Listeners, Build(policy));
    }

    public ValueTask<IReadOnlyList<RecipientOutcome>> DeliverAsync(DeliveryJob job, CancellationToken cancellationToken) =>
        Volatile.Read(ref _current).Agent.DeliverAsync(job, cancellationToken);

    public void Apply(GatewayPolicy policy)
    {
        var current = Volatile.Read(ref _current);
        if (current.Delivery == policy.Delivery && current.HostName == policy.HostName && current.Listeners.SequenceEqual(policy.Listeners))
        {
            return;
        }

        Volatile.Write(ref _current, new Generation(policy.Delivery, policy.HostName, policy.Listeners, Build(policy)));
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
        var router = new Router(options, _dns, _loggers.CreateLogger<Router>());
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

    private sealed record Generation(DeliveryPolicy Delivery, string HostName, IReadOnlyList<ListenerPolicy> Listeners, SmtpDeliveryAgent Agent);
}
