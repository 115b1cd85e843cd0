using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

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

    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    public bool IsTls => _stream is SslStream;

    public SslStream? Tls => _stream as SslStream;

    public static async Task<SmtpTestClient> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        var tcp = new TcpClient(endPoint.AddressFamily) { NoDelay = true };
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

    /// <summary>Sends one command line with CRLF and reads one reply.</summary>
    public async Task<SmtpResponse> CommandAsync(string line, bool utf8 = false)
    {
        await SendRawAsync(line + "\r\n", utf8).ConfigureAwait(false);
        return await ReadReplyAsync().ConfigureAwait(false);
    }

    /// <summary>Reads one complete (possibly multi-line) reply; throws on timeout or a malformed reply.</summary>
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

    /// <summary>True when the server closes the connection (EOF or reset) within the timeout; false if data or nothing arrives.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                if (_start < _end)
                {
                    _start = _end;
                }

                var read = await _stream.ReadAsync(_buffer.AsMemory(0, _buffer.Length), cts.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return true;
                }
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

    /// <summary>Upgrades to TLS after a 220 to STARTTLS (or at once for implicit TLS); accepts any server certificate.</summary>
    public async Task StartTlsAsync(string targetHost = "localhost")
    {
        if (_start != _end)
        {
            throw new InvalidOperationException("plaintext left unread before the TLS handshake");
        }

        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
        using var cts = new CancellationTokenSource(Timeout);
        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions { TargetHost = targetHost },
            cts.Token).ConfigureAwait(false);
        _stream = ssl;
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

            var read = await _stream.ReadAsync(_buffer.AsMemory(0, _buffer.Length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            _start = 0;
            _end = read;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _tcp.Dispose();
    }
}
