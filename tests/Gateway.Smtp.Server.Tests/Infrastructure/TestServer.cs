using System.Net;
using Gateway.Abstractions;

namespace Gateway.Smtp.Server.Tests.Infrastructure;

/// <summary>A real <see cref="SmtpServer"/> on 127.0.0.1 with a random port, recording fakes behind it.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    public const string HostName = "mx.test";

    private TestServer(SmtpServer server, TestProvider provider, RecordingHandler handler, CapturingLoggerFactory logs)
    {
        Server = server;
        Provider = provider;
        Handler = handler;
        Logs = logs;
    }

    public SmtpServer Server { get; }

    public TestProvider Provider { get; }

    public RecordingHandler Handler { get; }

    public CapturingLoggerFactory Logs { get; }

    public IPEndPoint EndPoint => Server.BoundEndPoints[0].EndPoint;

    public static SmtpSessionOptions DefaultOptions => new() { HostName = HostName };

    public static async Task<TestServer> StartAsync(
        Func<SmtpSessionOptions, SmtpSessionOptions>? configure = null,
        Func<SmtpListenerOptions, SmtpListenerOptions>? listener = null,
        ICredentialVerifier? credentials = null,
        TimeProvider? time = null)
    {
        var options = configure?.Invoke(DefaultOptions) ?? DefaultOptions;
        var listenerOptions = new SmtpListenerOptions { Name = "test", EndPoint = new IPEndPoint(IPAddress.Loopback, 0) };
        listenerOptions = listener?.Invoke(listenerOptions) ?? listenerOptions;
        var handler = new RecordingHandler();
        var provider = new TestProvider(options, handler, credentials);
        var logs = new CapturingLoggerFactory();
        var server = new SmtpServer([listenerOptions], provider, time ?? TimeProvider.System, logs);
        await server.StartAsync(CancellationToken.None);
        return new TestServer(server, provider, handler, logs);
    }

    public Task<SmtpTestClient> ConnectAsync() => SmtpTestClient.ConnectAsync(EndPoint);

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
