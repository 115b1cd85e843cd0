using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gateway.Testing.Smtp;

/// <summary>
/// A scripted SMTP server on 127.0.0.1 for what real peers cannot be made to do: per-recipient replies,
/// chosen EHLO keywords (before and after STARTTLS), BDAT, replies held back until the end of a pipelined
/// group, and the exact (dot-unstuffed) octets of each message.
/// </summary>
public sealed class FakeSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<Task> _sessions = [];
    private int _open;
    private int _maxOpen;
    private int _connections;
    private int _readAhead;

    public FakeSmtpServer(params string[] keywords)
        : this(0, keywords)
    {
    }

    private FakeSmtpServer(int port, string[] keywords)
    {
        Keywords = keywords.Length == 0 ? ["PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES"] : keywords;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The EHLO keywords in plaintext.</summary>
    public IReadOnlyList<string> Keywords { get; }

    /// <summary>The EHLO keywords inside TLS; null: the same as <see cref="Keywords"/> without STARTTLS.</summary>
    public IReadOnlyList<string>? KeywordsAfterTls { get; init; }

    /// <summary>The certificate for STARTTLS (offer STARTTLS among the keywords to use it).</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>A server on a given port (to stand in for one that went away).</summary>
    public static FakeSmtpServer OnPort(int port) => new(port, []);

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public string Greeting { get; set; } = "220 fake.test ESMTP";

    /// <summary>The reply to EHLO when it should not be the keyword list (e.g. "502 5.5.2 Not implemented").</summary>
    public string? EhloReply { get; set; }

    public string StartTlsReply { get; set; } = "220 2.0.0 Ready to start TLS";

    /// <summary>Replies to RCPT TO by address (case-insensitive); others get "250 2.1.5 Ok".</summary>
    public ConcurrentDictionary<string, string> RcptReplies { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string MailReply { get; set; } = "250 2.1.0 Ok";

    /// <summary>The reply to DATA when it is not "354"; null: 354, or 554 without recipients.</summary>
    public string? DataCommandReply { get; set; }

    public string DataReply { get; set; } = "250 2.0.0 Ok: queued";

    /// <summary>The reply to a BDAT chunk that is not the last one.</summary>
    public string ChunkReply { get; set; } = "250 2.0.0 chunk received";

    /// <summary>After its 354 the server reads nothing more: a client sending a large message is stuck in its writes.</summary>
    public bool StopReadingAfterDataCommand { get; set; }

    /// <summary>Delay before answering the end of data, to hold a transaction open.</summary>
    public TimeSpan DataDelay { get; set; }

    /// <summary>
    /// Replies are held back until DATA or BDAT arrives: a client that waits for each reply (no pipelining)
    /// then waits for ever, one that pipelines (RFC 2920) gets them all at once.
    /// </summary>
    public bool HoldRepliesUntilData { get; set; }

    public ConcurrentQueue<Transaction> Transactions { get; } = new();

    public ConcurrentQueue<string> Commands { get; } = new();

    /// <summary>Command lines that were already waiting behind the previous one: the client did not wait for a reply.</summary>
    public int CommandsReadAhead => Volatile.Read(ref _readAhead);

    public int Connections => Volatile.Read(ref _connections);

    public int MaxConcurrentConnections => Volatile.Read(ref _maxOpen);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
            await Task.WhenAll(_sessions);
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _sessions.Add(Task.Run(() => SessionAsync(client)));
        }
    }

    private async Task SessionAsync(TcpClient client)
    {
        var open = Interlocked.Increment(ref _open);
        int seen;
        while (open > (seen = Volatile.Read(ref _maxOpen)) && Interlocked.CompareExchange(ref _maxOpen, open, seen) != seen)
        {
        }

        try
        {
            using (client)
            {
                await new Session(this, client.GetStream()).RunAsync(_stop.Token);
            }
        }
        catch (Exception)
        {
            // Client went away or the server is stopping.
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>One message as the server took it.</summary>
    /// <param name="MailFrom">The MAIL command line.</param>
    /// <param name="Rcpts">The accepted RCPT command lines.</param>
    /// <param name="Data">The message octets (DATA: dot-unstuffed; BDAT: the chunks joined).</param>
    /// <param name="Tls">The TLS protocol of the session, or null in plaintext.</param>
    /// <param name="ViaBdat">True when the message came in BDAT chunks.</param>
    public sealed record Transaction(string MailFrom, IReadOnlyList<string> Rcpts, byte[] Data, SslProtocols? Tls, bool ViaBdat);

    private sealed class Session(FakeSmtpServer server, Stream network)
    {
        private readonly StringBuilder _held = new();
        private readonly List<string> _rcpts = [];
        private Stream _stream = network;
        private LineReader _reader = new(network);
        private string? _mail;
        private MemoryStream? _chunks;

        public async Task RunAsync(CancellationToken ct)
        {
            await ReplyAsync(server.Greeting, ct);
            while (await _reader.ReadLineAsync(ct) is { } lineBytes)
            {
                if (_reader.HasBuffered)
                {
                    Interlocked.Increment(ref server._readAhead);
                }

                var line = Encoding.UTF8.GetString(lineBytes);
                server.Commands.Enqueue(line);
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                if (server.HoldRepliesUntilData && verb is "DATA" or "BDAT")
                {
                    await ReleaseAsync(ct);
                }

                if (!await HandleAsync(verb, line, ct))
                {
                    return;
                }
            }
        }

        private async Task<bool> HandleAsync(string verb, string line, CancellationToken ct)
        {
            switch (verb)
            {
                case "EHLO":
                    await ReplyAsync(server.EhloReply ?? EhloLines(), ct);
                    return true;
                case "HELO":
                case "NOOP":
                    await ReplyAsync("250 Ok", ct);
                    return true;
                case "STARTTLS":
                    return await StartTlsAsync(ct);
                case "RSET":
                    Reset();
                    await ReplyAsync("250 2.0.0 Ok", ct);
                    return true;
                case "QUIT":
                    await ReplyAsync("221 2.0.0 Bye", ct);
                    return false;
                case "DATA":
                    return await DataAsync(ct);
                case "BDAT":
                    return await ChunkAsync(line, ct);
            }

            if (line.StartsWith("MAIL FROM:", StringComparison.OrdinalIgnoreCase))
            {
                _mail = server.MailReply.StartsWith('2') ? line : null;
                return await ReplyAsync(server.MailReply, ct, hold: server.HoldRepliesUntilData);
            }

            if (line.StartsWith("RCPT TO:", StringComparison.OrdinalIgnoreCase))
            {
                var address = line[(line.IndexOf('<', StringComparison.Ordinal) + 1)..line.LastIndexOf('>')];
                var reply = _mail is null ? "503 5.5.1 Error: need MAIL command" : server.RcptReplies.GetValueOrDefault(address, "250 2.1.5 Ok");
                if (reply.StartsWith('2'))
                {
                    _rcpts.Add(line);
                }

                return await ReplyAsync(reply, ct, hold: server.HoldRepliesUntilData);
            }

            return await ReplyAsync("502 5.5.2 Not implemented", ct);
        }

        private string EhloLines()
        {
            var keywords = _stream is SslStream ? server.KeywordsAfterTls ?? server.Keywords.Where(k => k != "STARTTLS").ToList() : server.Keywords;
            var lines = new List<string> { "fake.test" };
            lines.AddRange(keywords);
            return string.Join("\r\n", lines.Select((l, i) => (i == lines.Count - 1 ? "250 " : "250-") + l));
        }

        private async Task<bool> StartTlsAsync(CancellationToken ct)
        {
            if (server.Certificate is null || _stream is SslStream || !server.Keywords.Contains("STARTTLS"))
            {
                return await ReplyAsync("502 5.5.1 STARTTLS not offered", ct);
            }

            await ReplyAsync(server.StartTlsReply, ct);
            if (!server.StartTlsReply.StartsWith("220", StringComparison.Ordinal))
            {
                return true;
            }

            // RFC 3207 4.2: a new session; nothing of the plaintext one counts.
            var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = server.Certificate }, ct);
            _stream = tls;
            _reader = new LineReader(tls);
            Reset();
            return true;
        }

        private async Task<bool> DataAsync(CancellationToken ct)
        {
            if (server.DataCommandReply is { } refusal)
            {
                return await ReplyAsync(refusal, ct);
            }

            if (_rcpts.Count == 0)
            {
                return await ReplyAsync("554 5.5.1 No valid recipients", ct);
            }

            await ReplyAsync("354 go ahead", ct);
            if (server.StopReadingAfterDataCommand)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }

            var data = new MemoryStream();
            while (await _reader.ReadLineAsync(ct) is { } dataLine)
            {
                if (dataLine.Length == 1 && dataLine[0] == (byte)'.')
                {
                    break;
                }

                // RFC 5321 4.5.2: remove the transparency dot.
                var start = dataLine.Length > 0 && dataLine[0] == (byte)'.' ? 1 : 0;
                data.Write(dataLine, start, dataLine.Length - start);
                data.Write("\r\n"u8);
            }

            return await CompleteAsync(data.ToArray(), viaBdat: false, ct);
        }

        /// <summary>RFC 3030 2: read exactly the announced octets whatever the reply will be.</summary>
        private async Task<bool> ChunkAsync(string line, CancellationToken ct)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var size = int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture);
            var last = words.Length > 2 && words[2].Equals("LAST", StringComparison.OrdinalIgnoreCase);
            var octets = await _reader.ReadExactlyAsync(size, ct);
            if (_mail is null || _rcpts.Count == 0)
            {
                _chunks = null;
                return await ReplyAsync("503 5.5.1 Error: need RCPT command", ct);
            }

            _chunks ??= new MemoryStream();
            _chunks.Write(octets);
            if (!last)
            {
                return await ReplyAsync(server.ChunkReply, ct);
            }

            var data = _chunks.ToArray();
            _chunks = null;
            return await CompleteAsync(data, viaBdat: true, ct);
        }

        private async Task<bool> CompleteAsync(byte[] data, bool viaBdat, CancellationToken ct)
        {
            if (server.DataDelay > TimeSpan.Zero)
            {
                await Task.Delay(server.DataDelay, ct);
            }

            var tls = (_stream as SslStream)?.SslProtocol;
            server.Transactions.Enqueue(new Transaction(_mail ?? string.Empty, [.. _rcpts], data, tls, viaBdat));
            Reset();
            return await ReplyAsync(server.DataReply, ct);
        }

        private void Reset()
        {
            _mail = null;
            _rcpts.Clear();
            _chunks = null;
        }

        /// <summary>Sends (or holds) a reply after any held ones; false after a 421, when the session ends (RFC 5321 3.8).</summary>
        private async Task<bool> ReplyAsync(string reply, CancellationToken ct, bool hold = false)
        {
            _held.Append(reply).Append("\r\n");
            if (!hold)
            {
                await ReleaseAsync(ct);
            }

            return !reply.StartsWith("421", StringComparison.Ordinal);
        }

        private async Task ReleaseAsync(CancellationToken ct)
        {
            if (_held.Length == 0)
            {
                return;
            }

            await _stream.WriteAsync(Encoding.UTF8.GetBytes(_held.ToString()), ct);
            _held.Clear();
        }
    }

    /// <summary>Reads CRLF-terminated lines as raw bytes (without the CRLF), and exact octet counts.</summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[65536];
        private int _start;
        private int _end;

        /// <summary>True when more input is already waiting behind what was read.</summary>
        public bool HasBuffered => _start < _end;

        public async Task<byte[]?> ReadLineAsync(CancellationToken ct)
        {
            var line = new MemoryStream();
            while (true)
            {
                for (var i = _start; i < _end; i++)
                {
                    if (_buffer[i] == '\n')
                    {
                        line.Write(_buffer, _start, i - _start);
                        _start = i + 1;
                        var bytes = line.ToArray();
                        return bytes.Length > 0 && bytes[^1] == '\r' ? bytes[..^1] : bytes;
                    }
                }

                line.Write(_buffer, _start, _end - _start);
                if (!await FillAsync(ct))
                {
                    return null;
                }
            }
        }

        public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
        {
            var result = new byte[count];
            var filled = 0;
            while (filled < count)
            {
                if (_start == _end && !await FillAsync(ct))
                {
                    throw new EndOfStreamException("client closed inside a BDAT chunk");
                }

                var take = Math.Min(count - filled, _end - _start);
                Array.Copy(_buffer, _start, result, filled, take);
                _start += take;
                filled += take;
            }

            return result;
        }

        private async Task<bool> FillAsync(CancellationToken ct)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, ct);
            return _end > 0;
        }
    }
}
