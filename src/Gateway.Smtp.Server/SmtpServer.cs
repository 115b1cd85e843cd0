using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Abstractions;
using Gateway.Smtp.Server.Listeners;
using Gateway.Smtp.Server.Logging;
using Gateway.Smtp.Server.Proxy;
using Gateway.Smtp.Server.Sessions;
using Microsoft.Extensions.Logging;

namespace Gateway.Smtp.Server;

/// <summary>
/// The SMTP listeners and their sessions. Holds no policy: each connection gets its limits, stage checks and
/// credential verifier from the <see cref="ISmtpSessionProvider"/> as one snapshot.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private readonly IReadOnlyList<SmtpListenerOptions> _listenerOptions;
    private readonly ISmtpSessionProvider _provider;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConnectionCounter _counter = new();
    private readonly SessionIdGenerator _ids = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private readonly CancellationTokenSource _acceptStop = new();
    private readonly CancellationTokenSource _idleStop = new();
    private readonly CancellationTokenSource _hardStop = new();
    private readonly List<SmtpListener> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private long _connectionNumber;
    private int _started;
    private bool _disposed;

    public SmtpServer(IReadOnlyList<SmtpListenerOptions> listeners, ISmtpSessionProvider provider, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(listeners);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _listenerOptions = listeners;
        _provider = provider;
        _time = time;
        _logger = loggerFactory.CreateLogger("Gateway.Smtp.Server");
    }

    /// <summary>The bound addresses, with the actual ports when port 0 was configured.</summary>
    public IReadOnlyList<(string Name, IPEndPoint EndPoint)> BoundEndPoints { get; private set; } = [];

    /// <summary>Sessions admitted and not yet ended.</summary>
    public int OpenSessions => _counter.Total;

    /// <summary>
    /// Binds every listener, all or none: a bind error closes the ones already bound and throws
    /// <see cref="ListenerBindException"/>. Connections wait in the backlog until <see cref="StartAsync"/>. Lets a
    /// host report a taken or forbidden address before it starts anything else; calling it again does nothing.
    /// </summary>
    public void Bind()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_listeners.Count > 0)
        {
            return;
        }

        try
        {
            foreach (var options in _listenerOptions)
            {
                _listeners.Add(SmtpListener.Bind(options));
            }
        }
        catch
        {
            foreach (var listener in _listeners)
            {
                listener.Dispose();
            }

            _listeners.Clear();
            throw;
        }

        BoundEndPoints = [.. _listeners.Select(l => (l.Options.Name, l.EndPoint))];
    }

    /// <summary>Binds every listener (see <see cref="Bind"/>) unless that was done, and starts accepting.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The server was already started.");
        }

        Bind();
        foreach (var listener in _listeners)
        {
            _logger.ListenerStarted(listener.Options.Name, listener.EndPoint);
            _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(listener), CancellationToken.None));
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Graceful stop: no new connections; sessions waiting for a command get 421 4.3.2 at once; sessions in the
    /// middle of a message may finish it until <paramref name="deadline"/>, then get 421 and are closed.
    /// Cancelling <paramref name="cancellationToken"/> brings the deadline forward to now. Returns when every
    /// session has ended.
    /// </summary>
    public async Task StopAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        await _acceptStop.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        await Task.WhenAll(_acceptLoops);
        await _idleStop.CancelAsync();

        using var deadlineTimer = new CancellationTokenSource(deadline, _time);
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(deadlineTimer.Token, cancellationToken);
        await using var registration = hardStop.Token.Register(() => _hardStop.Cancel());
        await Task.WhenAll(_connections.Values);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        if (_started != 0)
        {
            await StopAsync(TimeSpan.Zero, CancellationToken.None);
        }

        _disposed = true;
        _acceptStop.Dispose();
        _idleStop.Dispose();
        _hardStop.Dispose();
    }

    private async Task AcceptLoopAsync(SmtpListener listener)
    {
        while (!_acceptStop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_acceptStop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                // Transient (EMFILE, ECONNABORTED...): keep serving; a short pause avoids a hot loop.
                _logger.AcceptFailed(listener.Options.Name, ex);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), _time, _acceptStop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            var number = Interlocked.Increment(ref _connectionNumber);

            // Registered before it starts, so the removal can never run before the registration.
            var run = new Task<Task>(() => HandleConnectionAsync(socket, listener.Options));
            var task = run.Unwrap();
            _connections[number] = task;
            _ = task.ContinueWith(
                (_, state) => _connections.TryRemove((long)state!, out Task? _),
                number,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            run.Start(TaskScheduler.Default);
        }

        _logger.ListenerStopped(listener.Options.Name);
    }

    private async Task HandleConnectionAsync(Socket socket, SmtpListenerOptions listener)
    {
        var sessionId = _ids.Next();
        using var scope = _logger.SessionScope(sessionId);
        SmtpConnection connection;
        try
        {
            connection = new SmtpConnection(socket);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            // Gone between accept and here.
            socket.Dispose();
            return;
        }

        SmtpSessionSetup? setup = null;
        try
        {
            var facts = await EstablishFactsAsync(connection, listener, sessionId);
            if (facts is null)
            {
                await connection.DisposeAsync();
                return;
            }

            setup = _provider.Open(facts);
            var options = setup.Options;
            var admission = _counter.TryAdmit(facts.ClientAddress, options.MaxConnections, options.MaxConnectionsPerClient);
            if (admission != ConnectionAdmission.Admitted)
            {
                await RefuseOverLimitAsync(connection, listener, facts, options, admission);
                return;
            }

            try
            {
                _logger.SessionOpened(sessionId, facts.RemoteEndPoint, facts.LocalEndPoint, listener.Name, facts.ViaProxyProtocol);
                var session = new SmtpSession(connection, listener, setup, facts, _time, _logger, _idleStop.Token, _hardStop.Token);
                var reason = await session.RunAsync();
                _logger.SessionClosed(sessionId, facts.ClientAddress, listener.Name, reason);
            }
            finally
            {
                _counter.Release(facts.ClientAddress);
            }
        }
#pragma warning disable CA1031 // The last line of defence of one connection: log it, close it, keep serving the others.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.SessionFailed(sessionId, ex);
            await connection.DisposeAsync();
        }
        finally
        {
            // The connection is closed by now: the session's hold on its policy snapshot ends (a snapshot a reload
            // replaced is disposed when its last session gets here).
            setup?.Lease?.Dispose();
        }
    }

    /// <summary>
    /// Who the client is: the socket's peer, or on a PROXY listener the address the trusted load balancer's
    /// header carries. Null when the connection must be closed without a word.
    /// </summary>
    private async Task<SessionFacts?> EstablishFactsAsync(SmtpConnection connection, SmtpListenerOptions listener, string sessionId)
    {
        var remote = connection.RemoteEndPoint;
        var local = connection.LocalEndPoint;
        var viaProxy = false;
        if (listener.ProxyProtocol != ProxyProtocolMode.Off)
        {
            if (!ProxyHeaderReader.IsTrusted(remote.Address, listener.TrustedProxies))
            {
                _logger.ProxyUntrustedPeer(remote, listener.Name);
                return null;
            }

            ProxyHeaderResult header;
            using var timeout = new CancellationTokenSource(ProxyHeaderReader.HeaderTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _idleStop.Token);
            try
            {
                header = await ProxyHeaderReader.ReadAsync(connection.Reader, listener.ProxyProtocol, linked.Token);
            }
            catch (OperationCanceledException)
            {
                header = new ProxyHeaderResult(null, timeout.IsCancellationRequested ? "timeout" : "server stopping");
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                header = new ProxyHeaderResult(null, "connection lost");
            }

            if (!header.IsValid)
            {
                _logger.ProxyHeaderInvalid(remote, listener.Name, header.Problem!);
                return null;
            }

            if (header.Header is { Source: { } source, Destination: { } destination })
            {
                remote = source;
                local = destination;
                viaProxy = true;
            }
        }

        return new SessionFacts
        {
            SessionId = sessionId,
            ListenerName = listener.Name,
            RemoteEndPoint = remote,
            LocalEndPoint = local,
            ViaProxyProtocol = viaProxy,
            ConnectedAt = _time.GetUtcNow(),
        };
    }

    private async Task RefuseOverLimitAsync(
        SmtpConnection connection,
        SmtpListenerOptions listener,
        SessionFacts facts,
        SmtpSessionOptions options,
        ConnectionAdmission admission)
    {
        var perClient = admission == ConnectionAdmission.PerClientLimit;
        _logger.ConnectionLimitReached(
            facts.ClientAddress,
            listener.Name,
            perClient ? "per-client" : "total",
            perClient ? options.MaxConnectionsPerClient : options.MaxConnections);

        // On an implicit-TLS listener a plaintext reply would be garbage to the client, and a handshake is the
        // very cost the limit exists to avoid: close without a word there.
        if (listener.Tls != ListenerTlsMode.Implicit)
        {
            connection.Write(perClient
                ? ServerReplies.TooManyConnectionsFromClient(options.HostName)
                : ServerReplies.TooManyConnections(options.HostName));
        }

        await connection.CloseAsync(TimeSpan.FromSeconds(5), _time);
    }
}
