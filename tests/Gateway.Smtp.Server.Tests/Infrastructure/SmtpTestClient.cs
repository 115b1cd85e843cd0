using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Smtp.Server.Tests.Infrastructure;

/// <summary>A raw SMTP client over loopback: writes exactly the bytes a test gives and parses replies.</summary>
internal sealed class SmtpTestClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

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

    public SslStream? Tls => _stream as SslStream;

    public static async Task<SmtpTestClient> ConnectAsync(IPEndPoint endPoint, int? receiveBufferSize = null)
    {
        var tcp = new TcpClient(endPoint.AddressFamily);
        if (receiveBufferSize is { } size)
        {
            tcp.ReceiveBufferSize = size;
        }

        await tcp.ConnectAsync(endPoint.Address, endPoint.Port);
        return new SmtpTestClient(tcp);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] data)
    {
        await _stream.WriteAsync(data);
        await _stream.FlushAsync();
    }

    /// <summary>Reads one (possibly multi-line) reply.</summary>
    public async Task<SmtpReplyLines> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new IOException("Connection closed while waiting for a reply. Got so far: " + string.Join("|", lines));
            if (line.Length < 4 || !int.TryParse(line.AsSpan(0, 3), out var code))
            {
                throw new InvalidDataException("Not an SMTP reply line: " + line);
            }

            lines.Add(line[4..]);
            if (line[3] == ' ')
            {
                return new SmtpReplyLines(code, lines);
            }
        }
    }

    /// <summary>Sends a command and asserts the reply code and enhanced code.</summary>
    public async Task<SmtpReplyLines> CommandAsync(string command, int code, string? enhanced = null)
    {
        await SendAsync(command + "\r\n");
        return await ExpectAsync(code, enhanced);
    }

    public async Task<SmtpReplyLines> ExpectAsync(int code, string? enhanced = null)
    {
        var reply = await ReadReplyAsync();
        Assert.True(reply.Code == code, $"Expected {code}, got: {reply}");
        if (enhanced is not null)
        {
            Assert.True(reply.Enhanced == enhanced, $"Expected {code} {enhanced}, got: {reply}");
        }

        return reply;
    }

    /// <summary>Reads the greeting and sends EHLO, returning the EHLO reply.</summary>
    public async Task<SmtpReplyLines> GreetAsync(string name = "client.example")
    {
        await ExpectAsync(220);
        return await CommandAsync("EHLO " + name, 250);
    }

    /// <summary>True when the server closed the connection (reads EOF), false when data arrives or it stays open.</summary>
    public async Task<bool> IsClosedAsync(TimeSpan? wait = null)
    {
        if (_start < _end)
        {
            return false;
        }

        using var cts = new CancellationTokenSource(wait ?? ReadTimeout);
        try
        {
            var n = await _stream.ReadAsync(_buffer, cts.Token);
            if (n == 0)
            {
                return true;
            }

            _start = 0;
            _end = n;
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

    /// <summary>
    /// Client side of STARTTLS / implicit TLS: any certificate is accepted (tests use a self-signed one).
    /// <paramref name="prefix"/> goes out in the same send as the ClientHello (a PROXY header, say).
    /// </summary>
    public async Task UpgradeToTlsAsync(byte[]? prefix = null)
    {
        Assert.True(_start == _end, "Unread data before the TLS handshake");
        var inner = prefix is null ? _stream : new FirstWritePrefixStream(_stream, prefix);
        var tls = new SslStream(inner, leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "mx.test" });
        _stream = tls;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task<string?> ReadLineAsync()
    {
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var length = lf - _start;
                Assert.True(length > 0 && _buffer[lf - 1] == '\r', "Reply line not ended by CRLF");
                var line = Encoding.Latin1.GetString(_buffer, _start, length - 1);
                _start = lf + 1;
                return line;
            }

            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            using var cts = new CancellationTokenSource(ReadTimeout);
            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cts.Token);
            if (n == 0)
            {
                return null;
            }

            _end += n;
        }
    }
}
