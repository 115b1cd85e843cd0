using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Gateway.Testing.Smtp;

/// <summary>
/// A deliberately raw SMTP client for tests: it sends exactly the bytes it is given (bare LFs, NULs, pipelined
/// groups, oversized lines) and parses replies strictly, so tests can assert the exact reply to every edge case.
/// </summary>
public sealed class SmtpTestClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    private SmtpTestClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>How long one reply, a close or a TLS handshake may take before the test fails.</summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    public SslStream? Tls => _stream as SslStream;

    /// <summary>
    /// Connects. A small <paramref name="receiveBufferSize"/> makes the server's sends block sooner, for tests of
    /// clients that do not read their replies.
    /// </summary>
    public static async Task<SmtpTestClient> ConnectAsync(IPEndPoint endPoint, int? receiveBufferSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var tcp = new TcpClient(endPoint.AddressFamily) { NoDelay = true };
        if (receiveBufferSize is { } size)
        {
            tcp.ReceiveBufferSize = size;
        }

        await tcp.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        return new SmtpTestClient(tcp);
    }

    /// <summary>Connects and reads the greeting.</summary>
    public static async Task<(SmtpTestClient Client, SmtpResponse Greeting)> ConnectAndGreetAsync(IPEndPoint endPoint)
    {
        var client = await ConnectAsync(endPoint).ConfigureAwait(false);
        var greeting = await client.ReadReplyAsync().ConfigureAwait(false);
        return (client, greeting);
    }

    public async Task SendRawAsync(byte[] data)
    {
        await _stream.WriteAsync(data).ConfigureAwait(false);
        await _stream.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Sends the text as-is (Latin-1 for bytes 0-255, UTF-8 when <paramref name="utf8"/>); no CRLF is added.</summary>
    public Task SendRawAsync(string text, bool utf8 = false) =>
        SendRawAsync(utf8 ? Encoding.UTF8.GetBytes(text) : Encoding.Latin1.GetBytes(text));

    /// <summary>Sends one command line with CRLF and reads one reply, whatever it is.</summary>
    public async Task<SmtpResponse> CommandAsync(string line, bool utf8 = false)
    {
        await SendRawAsync(line + "\r\n", utf8).ConfigureAwait(false);
        return await ReadReplyAsync().ConfigureAwait(false);
    }

    /// <summary>Sends one command line with CRLF and asserts the reply's code (and enhanced code, if given).</summary>
    public async Task<SmtpResponse> CommandAsync(string line, int code, string? enhancedCode = null)
    {
        await SendRawAsync(line + "\r\n").ConfigureAwait(false);
        return await ExpectAsync(code, enhancedCode).ConfigureAwait(false);
    }

    /// <summary>Reads one reply and asserts its code (and enhanced code, if given).</summary>
    public async Task<SmtpResponse> ExpectAsync(int code, string? enhancedCode = null)
    {
        var reply = await ReadReplyAsync().ConfigureAwait(false);
        Assert.True(reply.Code == code, $"Expected {code}, got: {reply}");
        if (enhancedCode is not null)
        {
            Assert.True(reply.EnhancedCode == enhancedCode, $"Expected {code} {enhancedCode}, got: {reply}");
        }

        return reply;
    }

    /// <summary>Reads a 220 greeting and sends EHLO, asserting 250; returns the EHLO reply.</summary>
    public async Task<SmtpResponse> GreetAsync(string name = "client.example")
    {
        await ExpectAsync(220).ConfigureAwait(false);
        return await CommandAsync("EHLO " + name, 250).ConfigureAwait(false);
    }

    /// <summary>Reads one complete (possibly multi-line) reply; throws on timeout, a close or a malformed reply.</summary>
    public async Task<SmtpResponse> ReadReplyAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(cts.Token).ConfigureAwait(false)
                ?? throw new IOException($"connection closed while reading a reply (got so far: {string.Join(" | ", lines)})");
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), out var code) || (line.Length > 3 && line[3] is not (' ' or '-')))
            {
                throw new InvalidDataException($"malformed reply line '{line}'");
            }

            lines.Add(line.Length > 4 ? line[4..] : string.Empty);
            if (line.Length == 3 || line[3] == ' ')
            {
                return new SmtpResponse(code, lines);
            }
        }
    }

    /// <summary>
    /// True when the next thing from the server is the end of the connection (EOF or reset); false when data
    /// arrives first (it is kept for the next read) or nothing comes within <paramref name="wait"/> (default:
    /// <see cref="Timeout"/>).
    /// </summary>
    public async Task<bool> IsClosedAsync(TimeSpan? wait = null)
    {
        if (_start < _end)
        {
            return false;
        }

        using var cts = new CancellationTokenSource(wait ?? Timeout);
        try
        {
            var read = await _stream.ReadAsync(_buffer, cts.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return true;
            }

            _start = 0;
            _end = read;
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>True when the server closes the connection (EOF or reset) within the timeout, whatever it sends first.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                _start = _end;
                var read = await _stream.ReadAsync(_buffer, cts.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return true;
                }

                _start = 0;
                _end = read;
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>
    /// Upgrades to TLS after a 220 to STARTTLS (or at once for implicit TLS); accepts any server certificate (tests
    /// use self-signed ones). <paramref name="prefix"/> leaves in the same send as the ClientHello (a PROXY
    /// header, say).
    /// </summary>
    public async Task StartTlsAsync(string targetHost = "localhost", byte[]? prefix = null)
    {
        if (_start != _end)
        {
            throw new InvalidOperationException("plaintext left unread before the TLS handshake");
        }

        var inner = prefix is null ? _stream : new FirstWritePrefixStream(_stream, prefix);
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false, (_, _, _, _) => true);
        using var cts = new CancellationTokenSource(Timeout);
        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions { TargetHost = targetHost },
            cts.Token).ConfigureAwait(false);
        _stream = ssl;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _tcp.Dispose();
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        while (true)
        {
            while (_start < _end)
            {
                var b = _buffer[_start++];
                if (b == (byte)'\n')
                {
                    if (line.Count > 0 && line[^1] == (byte)'\r')
                    {
                        line.RemoveAt(line.Count - 1);
                        return Encoding.UTF8.GetString(line.ToArray());
                    }

                    throw new InvalidDataException("server sent a bare LF");
                }

                line.Add(b);
            }

            var read = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            _start = 0;
            _end = read;
        }
    }
}
