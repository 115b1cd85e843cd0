using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gateway.Transport.Tests.MtaSts;

/// <summary>
/// A minimal HTTPS/1.1 server on 127.0.0.1 for policy-fetch tests: TLS with a given certificate, reads one request
/// head, records it, and lets the test's responder write whatever bytes it likes (well-formed or not, fast or
/// slow), then closes the connection.
/// </summary>
internal sealed class PolicyHttpsServer : IAsyncDisposable
{
    private const int MaxRequestHead = 16 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly Func<Stream, CancellationToken, Task> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _gate = new();
    private readonly List<string> _requests = [];
    private readonly Task _accepting;

    public PolicyHttpsServer(X509Certificate2 certificate, Func<Stream, CancellationToken, Task> respond)
    {
        _certificate = certificate;
        _respond = respond;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The request heads received, each up to its blank line.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>A responder writing one complete response with a body and Content-Length.</summary>
    public static Func<Stream, CancellationToken, Task> Respond(int status, string? contentType, string body, string? extraHeader = null) =>
        (stream, ct) =>
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            var head = new StringBuilder();
            head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} Status\r\n");
            if (contentType is not null)
            {
                head.Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\n");
            }

            if (extraHeader is not null)
            {
                head.Append(extraHeader).Append("\r\n");
            }

            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
            return WriteAsync(stream, [.. Encoding.ASCII.GetBytes(head.ToString()), .. bytes], ct);
        };

    /// <summary>A 200 text/plain response without Content-Length: the body ends when the connection closes.</summary>
    public static Func<Stream, CancellationToken, Task> RespondUntilClose(byte[] body) =>
        (stream, ct) => WriteAsync(stream, [.. "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"u8, .. body], ct);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private static async Task WriteAsync(Stream stream, byte[] data, CancellationToken ct)
    {
        await stream.WriteAsync(data, ct);
        await stream.FlushAsync(ct);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_gate)
            {
                _connections.Add(ServeAsync(client, _stop.Token));
            }
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using var _ = client;
        try
        {
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, ct);
            var head = await ReadHeadAsync(tls, ct);
            lock (_gate)
            {
                _requests.Add(head);
            }

            await _respond(tls, ct);
            await tls.ShutdownAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // The client went away (a refused certificate, a timeout): nothing to serve.
        }
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[MaxRequestHead];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0)
            {
                break;
            }

            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                return text[..end];
            }
        }

        throw new IOException("no complete request head");
    }
}
