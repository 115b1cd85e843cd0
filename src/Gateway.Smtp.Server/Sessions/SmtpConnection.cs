using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Gateway.Abstractions;

namespace Gateway.Smtp.Server.Sessions;

/// <summary>
/// The transport of one connection: the socket, the current stream (plain or TLS), a pipe reader over it and a
/// small buffer of replies not yet sent. Replies are only buffered by <see cref="Write"/> and go out on
/// <see cref="FlushAsync"/>, which is what lets the session answer a pipelined group in one write (RFC 2920).
/// </summary>
internal sealed class SmtpConnection : IAsyncDisposable
{
    // Modest pipe segments keep sessions small (1,000 idle sessions must fit well under 150 MB), and zero-byte
    // reads mean an idle session waits for data without holding a buffer at all (sockets and SslStream support it).
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true);

    // RFC 5321 4.5.3.1.5: a reply line is at most 512 octets including the code and CRLF.
    private const int MaxReplyLineLength = 512;

    private const int MaxEnhancedCodeLength = 16;

    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private SslStream? _tls;
    private Stream _stream;
    private PipeReader _reader;
    private ArrayBufferWriter<byte>? _pending;
    private bool _disposed;

    public SmtpConnection(Socket socket)
    {
        _socket = socket;

        // Replies are small and already batched per pipelined group; do not let Nagle hold them back.
        socket.NoDelay = true;
        _network = new NetworkStream(socket, ownsSocket: true);
        _stream = _network;
        _reader = PipeReader.Create(_stream, ReaderOptions);
        RemoteEndPoint = Normalize((IPEndPoint)socket.RemoteEndPoint!);
        LocalEndPoint = Normalize((IPEndPoint)socket.LocalEndPoint!);
    }

    public IPEndPoint RemoteEndPoint { get; }

    public IPEndPoint LocalEndPoint { get; }

    public PipeReader Reader => _reader;

    public SslStream? Tls => _tls;

    public bool HasPendingReplies => _pending is { WrittenCount: > 0 };

    public int PendingLength => _pending?.WrittenCount ?? 0;

    /// <summary>Octets the kernel holds for us that were not read yet (pregreet detection).</summary>
    public int SocketAvailable
    {
        get
        {
            try
            {
                return _socket.Available;
            }
            catch (ObjectDisposedException)
            {
                return 0;
            }
            catch (SocketException)
            {
                return 0;
            }
        }
    }

    /// <summary>Octets already read into the pipe but not consumed.</summary>
    public long BufferedLength
    {
        get
        {
            if (_reader.TryRead(out var result))
            {
                var length = result.Buffer.Length;
                _reader.AdvanceTo(result.Buffer.Start);
                return length;
            }

            return 0;
        }
    }

    /// <summary>Queues a reply; nothing is sent until <see cref="FlushAsync"/>.</summary>
    public void Write(SmtpReply reply)
    {
        // Room for two full lines: each line asks for MaxReplyLineLength, so a smaller start grew (and copied) at once.
        _pending ??= new ArrayBufferWriter<byte>(2 * MaxReplyLineLength);
        var code = reply.Code.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // RFC 3463 2: class "." subject "." detail, at most 9 characters. A longer one (from a stage check) is cut,
        // so the line limit below can never go negative.
        var enhanced = reply.EnhancedCode is { Length: > MaxEnhancedCodeLength } longCode ? longCode[..MaxEnhancedCodeLength] : reply.EnhancedCode;
        for (var i = 0; i < reply.Lines.Count; i++)
        {
            var last = i == reply.Lines.Count - 1;
            var prefixLength = 4 + (enhanced is null ? 0 : enhanced.Length + 1);
            var room = MaxReplyLineLength - 2 - prefixLength;
            var span = _pending.GetSpan(MaxReplyLineLength);
            var n = 0;
            foreach (var c in code)
            {
                span[n++] = (byte)c;
            }

            span[n++] = last ? (byte)' ' : (byte)'-';
            if (enhanced is not null)
            {
                n += WriteSafe(enhanced, span[n..], enhanced.Length);
                span[n++] = (byte)' ';
            }

            n += WriteSafe(reply.Lines[i], span[n..], room);
            span[n++] = (byte)'\r';
            span[n++] = (byte)'\n';
            _pending.Advance(n);
        }
    }

    public void DiscardPendingReplies() => _pending = null;

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending is not { WrittenCount: > 0 })
        {
            return;
        }

        await _stream.WriteAsync(_pending.WrittenMemory, cancellationToken);
        await _stream.FlushAsync(cancellationToken);

        // Drop the buffer: an idle session should not keep one around.
        _pending = null;
    }

    /// <summary>
    /// Throws away everything read but not yet consumed and returns how many octets that was. Used right
    /// after the STARTTLS 220: anything the client pipelined after STARTTLS is plaintext that must not be
    /// taken as coming from inside the TLS session (RFC 3207 5, CVE-2011-0411).
    /// </summary>
    public long DiscardBuffered()
    {
        if (_reader.TryRead(out var result))
        {
            var length = result.Buffer.Length;
            _reader.AdvanceTo(result.Buffer.End);
            return length;
        }

        return 0;
    }

    /// <summary>
    /// Runs the server side of a TLS handshake over the socket and switches reading/writing to it. Octets still
    /// in the plaintext pipe are the start of the handshake: after STARTTLS the caller has discarded them
    /// (RFC 3207 5), but on an implicit-TLS listener behind a PROXY balancer the ClientHello may have been read
    /// together with the PROXY header, and the handshake must see it.
    /// </summary>
    public async Task UpgradeToTlsAsync(ServerOptionsSelectionCallback selectOptions, CancellationToken cancellationToken)
    {
        byte[] leftover = [];
        if (_reader.TryRead(out var buffered))
        {
            leftover = buffered.Buffer.ToArray();
            _reader.AdvanceTo(buffered.Buffer.End);
        }

        // The old reader does not own the network stream.
        await _reader.CompleteAsync();
        Stream transport = leftover.Length == 0 ? _network : new PrefixedReadStream(_network, leftover);
        var tls = new SslStream(transport, leaveInnerStreamOpen: true);
        try
        {
            await tls.AuthenticateAsServerAsync(selectOptions, null, cancellationToken);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }

        _tls = tls;
        _stream = tls;
        _reader = PipeReader.Create(_stream, ReaderOptions);
    }

    /// <summary>Sends what is queued (best effort) and closes the connection.</summary>
    public async ValueTask CloseAsync(TimeSpan flushTimeout, TimeProvider time)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            using var cts = new CancellationTokenSource(flushTimeout, time);
            await FlushAsync(cts.Token);
            if (_tls is not null)
            {
                // ShutdownAsync takes no token and writes close_notify: to a client that stopped reading (a full
                // send buffer, the very reason the session ended) it would never complete, and the session with
                // its connection slot would live forever. Bounded like the flush; disposal below ends the write.
                var shutdown = _tls.ShutdownAsync();
                _ = shutdown.ContinueWith(
                    static t => _ = t.Exception,
                    CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                await shutdown.WaitAsync(cts.Token);
            }

            _socket.Shutdown(SocketShutdown.Send);
            await DrainAsync(time);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException
            or InvalidOperationException or NotSupportedException)
        {
            // The peer is gone or not reading (or a cancelled write left the TLS stream unusable): nothing more
            // to tell it.
        }

        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _reader.CompleteAsync();
        if (_tls is not null)
        {
            await _tls.DisposeAsync();
        }

        await _network.DisposeAsync();
    }

    /// <summary>
    /// Lingering close: closing a socket with unread input makes the kernel send RST, and a client receiving
    /// RST may drop our last reply (the 421 or 554 that explains the close) before reading it. So after our
    /// FIN, read and discard what the client still sends, briefly and boundedly, until it closes too.
    /// </summary>
    private async Task DrainAsync(TimeProvider time)
    {
        // Readable with nothing to read: the client has closed (or reset) already, the usual end after QUIT.
        if (_socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0)
        {
            return;
        }

        // Not from the array pool: a receive still pending when the time is up writes into it until the socket is
        // closed, so it must not be handed to anyone else.
        using var receive = new DrainReceive(_socket, new byte[4096]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
        var total = 0;
        while (total < 256 * 1024)
        {
            var n = await receive.NextAsync(cts.Token);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }
    }

    /// <summary>
    /// Receives for the lingering close without exceptions: a client that resets the connection is the normal end
    /// here, and the socket's Task API would raise (and capture a stack trace for) each one.
    /// </summary>
    private sealed class DrainReceive : IDisposable
    {
        private readonly Socket _socket;
        private readonly SocketAsyncEventArgs _args = new();
        private TaskCompletionSource<int>? _pending;

        public DrainReceive(Socket socket, byte[] buffer)
        {
            _socket = socket;
            _args.SetBuffer(buffer, 0, buffer.Length);
            _args.Completed += (_, args) => _pending?.TrySetResult(Result(args));
        }

        /// <summary>Bytes received; 0 at the end of the stream, -1 on an error or when the token fires.</summary>
        public async Task<int> NextAsync(CancellationToken ct)
        {
            _pending = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_socket.ReceiveAsync(_args))
            {
                return Result(_args);
            }

            // A receive still running when the time is up is ended by closing the socket, which follows.
            using var registration = ct.Register(static state => ((TaskCompletionSource<int>)state!).TrySetResult(-1), _pending);
            return await _pending.Task.ConfigureAwait(false);
        }

        public void Dispose() => _args.Dispose();

        private static int Result(SocketAsyncEventArgs args) => args.SocketError == SocketError.Success ? args.BytesTransferred : -1;
    }

    private static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    /// <summary>Reply texts come partly from policy: keep them printable ASCII and within the line limit.</summary>
    private static int WriteSafe(string text, Span<byte> destination, int max)
    {
        var n = Math.Min(text.Length, Math.Min(max, destination.Length));
        for (var i = 0; i < n; i++)
        {
            var c = text[i];
            destination[i] = c is >= ' ' and < (char)0x7F ? (byte)c : (byte)'?';
        }

        return n;
    }
}
