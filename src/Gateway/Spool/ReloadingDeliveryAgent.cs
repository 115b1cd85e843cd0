using Gateway.Abstractions;
using Gateway.Delivery;
using Gateway.Delivery.Client;
using Gateway.Delivery.Routing;
using Gateway.Policy;
using Gateway.Queue.Scheduling;
using Gateway.Transport.MtaSts;
using Gateway.Transport.Policy;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Spool;

/// <summary>
/// The delivery agent for the policy in force: a reload that changes routes, the smarthost or limits builds a new
/// agent for new attempts, while attempts already running finish on the old one. Every generation asks the host's
/// one resolver, whose cache outlives them (a change of DNS servers is applied to the resolver itself), and the
/// host's one MTA-STS policy cache and TLS-RPT counters.
/// </summary>
internal sealed class ReloadingDeliveryAgent : IDeliveryAgent, IAsyncDisposable
{
    private readonly IDnsResolver _dns;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly IMtaStsPolicySource? _mtaSts;
    private readonly ITlsRptRecorder? _tlsReports;
    private readonly List<SmtpDeliveryAgent> _retired = [];
    private Generation _current;

    /// <param name="policy">The policy in force at start.</param>
    /// <param name="dns">The host's resolver.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggers">Logging.</param>
    /// <param name="mtaSts">The MTA-STS policy cache (used when delivery.tls.mta_sts is on); null: none.</param>
    /// <param name="tlsReports">The TLS-RPT counters (used when delivery.tls.reporting is on); null: none.</param>
    public ReloadingDeliveryAgent(
        GatewayPolicy policy, IDnsResolver dns, TimeProvider time, ILoggerFactory loggers, IMtaStsPolicySource? mtaSts = null, ITlsRptRecorder? tlsReports = null)
    {
        _dns = dns;
        _time = time;
        _loggers = loggers;
        _mtaSts = mtaSts;
        _tlsReports = tlsReports;
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

        SmtpDeliveryAgent agent;
        try
        {
            agent = Build(policy);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            // A CA bundle that loaded when the policy was read and no longer does: keep delivering as before.
            HostLog.DeliveryNotReloaded(_loggers.CreateLogger<ReloadingDeliveryAgent>(), ex.Message);
            return;
        }

        Volatile.Write(ref _current, new Generation(policy.Delivery, policy.HostName, policy.Listeners, agent));
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
            Smarthost = delivery.Smarthost is { } smarthost
                ? new RouteHost(smarthost.Host, smarthost.Port, 0, false) { Tls = delivery.SmarthostTls is { } tls ? ToEntry(tls) : null }
                : null,
            Routes = ToRoutes(delivery.Routes),
            OutboundRoutes = ToRoutes(delivery.OutboundRoutes),
            TlsPolicies = new TlsPolicyTable(
                delivery.Tls.Destinations.Select(d => KeyValuePair.Create(d.Key, ToEntry(d.Value))),
                new TlsPolicyEntry(delivery.Tls.Level)),
            Dane = delivery.Tls.Dane,
            Concurrency = delivery.Concurrency,
            ConcurrencyPerDestination = delivery.ConcurrencyPerDestination,
            ConnectTimeout = delivery.ConnectTimeout,
            CommandTimeout = delivery.CommandTimeout,
            ListenerEndPoints = policy.Listeners.Select(l => l.EndPoint).ToList(),
        };
    }

    private static Dictionary<string, IReadOnlyList<RouteHost>> ToRoutes(IReadOnlyDictionary<string, IReadOnlyList<RouteHostPolicy>> routes) =>
        routes.ToDictionary(
            route => route.Key,
            route => (IReadOnlyList<RouteHost>)route.Value
                .Select(h => new RouteHost(h.Host, h.Port, h.Preference, h.RequireTls) { Tls = h.Tls is { } tls ? ToEntry(tls) : null })
                .ToList(),
            StringComparer.OrdinalIgnoreCase);

    /// <summary>A policy entry as the delivery client takes it; a CA bundle is read now (the policy checked it loads).</summary>
    public static TlsPolicyEntry ToEntry(DestinationTlsSetting setting) =>
        setting.CaFile is { } caFile
            ? TlsPolicyEntry.WithCaFile(setting.Level, caFile, setting.Match.Count > 0 ? setting.Match : null)
            : new TlsPolicyEntry(setting.Level, setting.Match.Count > 0 ? setting.Match : null);

    private SmtpDeliveryAgent Build(GatewayPolicy policy)
    {
        var options = ToOptions(policy);
        var tls = policy.Delivery.Tls;
        var router = new Router(options, _dns, _loggers.CreateLogger<Router>(), mtaSts: tls.MtaSts ? _mtaSts : null);
        return new SmtpDeliveryAgent(
            options, router, _time, _loggers.CreateLogger<SmtpDeliveryAgent>(), tlsReports: tls.Reporting.Enabled ? _tlsReports : null);
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
