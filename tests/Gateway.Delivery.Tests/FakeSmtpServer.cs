using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Delivery.Tests;

/// <summary>
/// A scripted SMTP server on 127.0.0.1 for replies smtp-sink cannot give: per-recipient answers, chosen EHLO
/// keywords, and the exact (dot-unstuffed) bytes of each message.
/// </summary>
internal sealed class FakeSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<Task> _sessions = [];
    private int _open;
    private int _maxOpen;
    private int _connections;

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

    public IReadOnlyList<string> Keywords { get; }

    /// <summary>A server on a given port (to stand in for one that went away).</summary>
    public static FakeSmtpServer OnPort(int port) => new(port, []);

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Replies to RCPT TO by address (lower-case); others get "250 2.1.5 Ok".</summary>
    public ConcurrentDictionary<string, string> RcptReplies { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string MailReply { get; set; } = "250 2.1.0 Ok";

    public string DataReply { get; set; } = "250 2.0.0 Ok: queued";

    /// <summary>Delay before answering the end of data, to hold a transaction open.</summary>
    public TimeSpan DataDelay { get; set; }

    public ConcurrentQueue<Transaction> Transactions { get; } = new();

    public ConcurrentQueue<string> Commands { get; } = new();

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
                var stream = client.GetStream();
                var reader = new LineReader(stream);
                await WriteAsync(stream, "220 fake.test ESMTP");
                string? mail = null;
                var rcpts = new List<string>();
                while (await reader.ReadLineAsync(_stop.Token) is { } lineBytes)
                {
                    var line = Encoding.UTF8.GetString(lineBytes);
                    Commands.Enqueue(line);
                    var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                    if (verb is "EHLO")
                    {
                        var lines = new List<string> { "fake.test" };
                        lines.AddRange(Keywords);
                        for (var i = 0; i < lines.Count; i++)
                        {
                            await WriteAsync(stream, (i == lines.Count - 1 ? "250 " : "250-") + lines[i]);
                        }
                    }
                    else if (verb is "HELO" or "NOOP")
                    {
                        await WriteAsync(stream, "250 Ok");
                    }
                    else if (verb is "RSET")
                    {
                        mail = null;
                        rcpts.Clear();
                        await WriteAsync(stream, "250 2.0.0 Ok");
                    }
                    else if (line.StartsWith("MAIL FROM:", StringComparison.OrdinalIgnoreCase))
                    {
                        mail = MailReply.StartsWith('2') ? line : null;
                        await WriteAsync(stream, MailReply);
                    }
                    else if (line.StartsWith("RCPT TO:", StringComparison.OrdinalIgnoreCase))
                    {
                        var address = line[(line.IndexOf('<', StringComparison.Ordinal) + 1)..line.IndexOf('>', StringComparison.Ordinal)];
                        var reply = mail is null ? "503 5.5.1 Error: need MAIL command" : RcptReplies.GetValueOrDefault(address, "250 2.1.5 Ok");
                        if (reply.StartsWith('2'))
                        {
                            rcpts.Add(line);
                        }

                        await WriteAsync(stream, reply);
                    }
                    else if (verb is "DATA")
                    {
                        if (rcpts.Count == 0)
                        {
                            await WriteAsync(stream, "554 5.5.1 No valid recipients");
                            continue;
                        }

                        await WriteAsync(stream, "354 go ahead");
                        var data = new MemoryStream();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine)
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

                        if (DataDelay > TimeSpan.Zero)
                        {
                            await Task.Delay(DataDelay, _stop.Token);
                        }

                        Transactions.Enqueue(new Transaction(mail ?? string.Empty, [.. rcpts], data.ToArray()));
                        mail = null;
                        rcpts.Clear();
                        await WriteAsync(stream, DataReply);
                    }
                    else if (verb is "QUIT")
                    {
                        await WriteAsync(stream, "221 2.0.0 Bye");
                        return;
                    }
                    else
                    {
                        await WriteAsync(stream, "502 5.5.2 Not implemented");
                    }
                }
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

    private async Task WriteAsync(NetworkStream stream, string line) =>
        await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), _stop.Token);

    internal sealed record Transaction(string MailFrom, IReadOnlyList<string> Rcpts, byte[] Data);

    /// <summary>Reads CRLF-terminated lines as raw bytes (without the CRLF).</summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[65536];
        private int _start;
        private int _end;

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
                _start = 0;
                _end = await stream.ReadAsync(_buffer, ct);
                if (_end == 0)
                {
                    return null;
                }
            }
        }
    }
}
