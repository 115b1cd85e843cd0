using System.Net;
using Gateway.Policy;
using Gateway.Smtp.Server;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>Runs the SMTP listeners for the lifetime of the host.</summary>
internal sealed class SmtpHostedService : IHostedService, IAsyncDisposable
{
    /// <summary>
    /// How long sessions in the middle of a message may go on after a stop request before they get 421.
    /// Short enough to fit the host's shutdown timeout and a container runtime's stop grace period (10 s in
    /// podman/docker by default is too short for DATA; systemd's TimeoutStopSec is set to match).
    /// </summary>
    public static readonly TimeSpan DrainDeadline = TimeSpan.FromSeconds(20);

    private readonly SmtpServer _server;

    public SmtpHostedService(RuntimeHolder runtime, ISmtpSessionProvider provider, TimeProvider time, ILoggerFactory loggerFactory)
    {
        var listeners = runtime.Current.Policy.Listeners.Select(ToListenerOptions).ToList();
        _server = new SmtpServer(listeners, provider, time, loggerFactory);
    }

    public bool Started { get; private set; }

    public int OpenSessions => _server.OpenSessions;

    public IReadOnlyList<(string Name, IPEndPoint EndPoint)> BoundEndPoints => _server.BoundEndPoints;

    /// <summary>Binds the listeners ahead of the host's start; throws <see cref="ListenerBindException"/>.</summary>
    public void Bind() => _server.Bind();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        Started = true;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Started = false;
        await _server.StopAsync(DrainDeadline, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static SmtpListenerOptions ToListenerOptions(ListenerPolicy listener) => new()
    {
        Name = listener.Name,
        EndPoint = listener.EndPoint,
        Tls = listener.Tls switch
        {
            ListenerTls.None => ListenerTlsMode.None,
            ListenerTls.Implicit => ListenerTlsMode.Implicit,
            _ => ListenerTlsMode.StartTls,
        },
        ProxyProtocol = listener.ProxyProtocol switch
        {
            ListenerProxyProtocol.V1 => ProxyProtocolMode.V1,
            ListenerProxyProtocol.V2 => ProxyProtocolMode.V2,
            ListenerProxyProtocol.Any => ProxyProtocolMode.Any,
            _ => ProxyProtocolMode.Off,
        },
        TrustedProxies = listener.TrustedProxies,
    };
}
