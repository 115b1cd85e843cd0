using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Abstractions;
using Gateway.Delivery.Routing;
using Gateway.Smtp.Protocol;

namespace Gateway.Delivery.Client;

/// <summary>
/// One connection to a next hop: commands out, replies in, with a timeout on every reply and on every write
/// (RFC 5321 4.5.3.2) and cancellation throughout. Commands queue in a small buffer until flushed, so a
/// pipelined group (RFC 2920) leaves in one write. Any failure underneath the dialogue becomes a
/// <see cref="SmtpTransportException"/> and leaves the connection unusable. Used by one transaction at a time.
/// </summary>
internal sealed class SmtpConnection : IAsyncDisposable
{
    /// <summary>Data written together with queued commands up to this size leaves in the same write.</summary>
    private const int CoalesceLimit = 16 * 1024;

    /// <summary>A command buffer grown past this (a long RCPT group) is not kept for the connection's life.</summary>
    private const int KeptCommandBuffer = 64 * 1024;

    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true);

    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private readonly TimeProvider _time;
    private readonly TimeSpan _replyTimeout;
    private readonly TimeSpan _writeTimeout;
    private ArrayBufferWriter<byte> _output = new(1024);
    private Stream _stream;
    private PipeReader _input;
    private ServerReplyReader _replies = new();
    private bool _broken;
    private bool _closing;

    /// <param name="socket">A connected socket; the connection owns it from now on.</param>
    /// <param name="hop">Where it goes (for messages and TLS).</param>
    /// <param name="time">The clock of the timeouts.</param>
    /// <param name="replyTimeout">How long each reply may take (RFC 5321 4.5.3.2: minutes, not seconds).</param>
    /// <param name="writeTimeout">How long each write may take (RFC 5321 4.5.3.2.5: data block, 3 minutes).</param>
    public SmtpConnection(Socket socket, NextHop hop, TimeProvider time, TimeSpan replyTimeout, TimeSpan writeTimeout)
    {
        _socket = socket;
        _network = new NetworkStream(socket, ownsSocket: true);
        _stream = _network;
        _input = PipeReader.Create(_network, ReaderOptions);
        Hop = hop;
        _time = time;
        _replyTimeout = replyTimeout;
        _writeTimeout = writeTimeout;
    }

    public NextHop Hop { get; }

    /// <summary>Our address on this connection (TLS-RPT "sending-mta-ip"), null once the socket is gone.</summary>
    public IPAddress? LocalAddress
    {
        get
        {
            try
            {
                return (_socket.LocalEndPoint as IPEndPoint)?.Address;
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
        }
    }

    /// <summary>What the server announced in its latest reply to EHLO; none after HELO or a fresh TLS session.</summary>
    public ServerCapabilities Capabilities { get; set; } = ServerCapabilities.None;

    /// <summary>The TLS session, once STARTTLS has succeeded.</summary>
    public SslStream? Tls => _stream as SslStream;

    /// <summary>When the connection was last returned to the pool (TimeProvider timestamp).</summary>
    public long IdleSince { get; set; }

    /// <summary>False after any transport failure, or after the server said 421 (RFC 5321 3.8: it is closing).</summary>
    public bool IsUsable => !_broken && !_closing;

    /// <summary>
    /// True when an idle connection can carry the next transaction: usable, nothing unread (a server that
    /// timed us out has sent its 421 or closed), and the peer has not closed its side.
    /// </summary>
    public bool LooksAlive()
    {
        if (!IsUsable || HasBufferedInput())
        {
            return false;
        }

        try
        {
            // Readable while idle means end of stream or unsolicited data: either way, not for reuse.
            return !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Queues one command line (UTF-8, RFC 6531 3.3 where SMTPUTF8 allows non-ASCII; CRLF added).</summary>
    public void Enqueue(string command)
    {
        var length = Encoding.UTF8.GetByteCount(command) + 2;
        var span = _output.GetSpan(length);
        var written = Encoding.UTF8.GetBytes(command, span);
        span[written] = (byte)'\r';
        span[written + 1] = (byte)'\n';
        _output.Advance(written + 2);
    }

    /// <summary>Sends whatever is queued.</summary>
    public async ValueTask FlushAsync(string sending, CancellationToken ct)
    {
        if (_output.WrittenCount == 0)
        {
            return;
        }

        await WriteRawAsync(_output.WrittenMemory, sending, ct).ConfigureAwait(false);
        if (_output.Capacity > KeptCommandBuffer)
        {
            _output = new ArrayBufferWriter<byte>(1024);
        }
        else
        {
            _output.ResetWrittenCount();
        }
    }

    /// <summary>
    /// Sends message data after whatever is queued; small data goes out in the same write as the queued commands
    /// (a pipelined group ending in a whole small BDAT chunk is one segment).
    /// </summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, string sending, CancellationToken ct)
    {
        if (_output.WrittenCount > 0 && _output.WrittenCount + data.Length <= CoalesceLimit)
        {
            _output.Write(data.Span);
            await FlushAsync(sending, ct).ConfigureAwait(false);
            return;
        }

        await FlushAsync(sending, ct).ConfigureAwait(false);
        await WriteRawAsync(data, sending, ct).ConfigureAwait(false);
    }

    /// <summary>Queues a command, sends it with anything queued before it, and reads one reply.</summary>
    public async ValueTask<SmtpReply> CommandAsync(string command, string awaiting, CancellationToken ct)
    {
        Enqueue(command);
        await FlushAsync(awaiting, ct).ConfigureAwait(false);
        return await ReadReplyAsync(awaiting, ct).ConfigureAwait(false);
    }

    /// <summary>Reads the next reply; <paramref name="awaiting"/> names what it answers, for the diagnostic.</summary>
    public ValueTask<SmtpReply> ReadReplyAsync(string awaiting, CancellationToken ct) =>
        GuardAsync(
            async token =>
            {
                while (true)
                {
                    var result = await _input.ReadAsync(token).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    var status = _replies.TryRead(ref buffer, out var reply);
                    if (status == ServerReplyStatus.Incomplete)
                    {
                        _input.AdvanceTo(buffer.Start, buffer.End);
                        if (result.IsCompleted)
                        {
                            throw Broken($"connection closed by the server while waiting for the reply to {awaiting}");
                        }

                        continue;
                    }

                    _input.AdvanceTo(buffer.Start);
                    if (status == ServerReplyStatus.Malformed)
                    {
                        throw Broken($"malformed reply to {awaiting}");
                    }

                    // RFC 5321 3.8: 421 means the server is closing the channel, whatever it answered.
                    _closing |= reply!.Code == 421;
                    return reply;
                }
            },
            _replyTimeout,
            "while waiting for the reply to " + awaiting,
            ct);

    /// <summary>
    /// True when the server sent more than the reply just read. After the 220 to STARTTLS nothing may follow
    /// in plaintext (RFC 3207 4.2; such bytes would be injected into the TLS session's first reply).
    /// </summary>
    public bool HasBufferedInput()
    {
        if (!_input.TryRead(out var result))
        {
            return false;
        }

        _input.AdvanceTo(result.Buffer.Start);
        return !result.Buffer.IsEmpty || result.IsCompleted;
    }

    /// <summary>
    /// The TLS handshake after a 220 to STARTTLS: TLS 1.2 or newer (RFC 8996, RFC 9325), the hop's name for SNI
    /// and verification, and <paramref name="validate"/> deciding about the certificate. Whatever the server
    /// announced before is forgotten (RFC 3207 4.2); the caller sends EHLO again.
    /// </summary>
    public async ValueTask StartTlsAsync(RemoteCertificateValidationCallback validate, X509RevocationMode revocation, CancellationToken ct)
    {
        await _input.CompleteAsync().ConfigureAwait(false);
        var tls = new SslStream(_network, leaveInnerStreamOpen: true, validate);
        _stream = tls;
        _input = PipeReader.Create(tls, ReaderOptions);
        _replies = new ServerReplyReader();
        Capabilities = ServerCapabilities.None;
        await GuardAsync(
            async token =>
            {
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = Hop.Host,
                        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        CertificateRevocationCheckMode = revocation,
                    },
                    token).ConfigureAwait(false);
                return true;
            },
            _replyTimeout,
            "in the TLS handshake",
            ct).ConfigureAwait(false);
    }

    /// <summary>Says QUIT (RFC 5321 4.1.1.10) when the connection is still in order, then closes it.</summary>
    public async Task QuitAsync(TimeSpan timeout)
    {
        try
        {
            if (IsUsable)
            {
                using var cts = new CancellationTokenSource(timeout, _time);
                await CommandAsync(ClientCommands.Quit, "QUIT", cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SmtpTransportException or OperationCanceledException)
        {
            // The peer may be gone already; closing is all that is left either way.
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _broken = true;
        try
        {
            await _input.CompleteAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex) || ex is AuthenticationException or InvalidOperationException)
        {
            // Closing a broken TLS session can fail; the socket is released below regardless.
        }
        finally
        {
            await _network.DisposeAsync().ConfigureAwait(false);
        }
    }

    // Our own SmtpTransportException is an IOException too: it passes through unwrapped.
    private static bool IsTransportFailure(Exception ex) =>
        ex is (IOException and not SmtpTransportException) or SocketException or ObjectDisposedException;

    private async ValueTask WriteRawAsync(ReadOnlyMemory<byte> data, string sending, CancellationToken ct) =>
        await GuardAsync(
            async token =>
            {
                await _stream.WriteAsync(data, token).ConfigureAwait(false);
                return true;
            },
            _writeTimeout,
            "while sending " + sending,
            ct).ConfigureAwait(false);

    /// <summary>
    /// Runs one step of I/O under its own time limit (RFC 5321 4.5.3.2). A timeout, a reset, a closed stream or a
    /// failed handshake leaves the connection broken and becomes an <see cref="SmtpTransportException"/> saying
    /// what was going on; the caller's own cancellation stays a cancellation.
    /// </summary>
    private async ValueTask<T> GuardAsync<T>(Func<CancellationToken, ValueTask<T>> step, TimeSpan limit, string doing, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(limit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            return await step(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw Broken($"timed out {doing}");
        }
        catch (OperationCanceledException)
        {
            _broken = true;
            throw;
        }
        catch (Exception ex) when (ex is AuthenticationException || IsTransportFailure(ex))
        {
            // The platform's "Authentication failed, see inner exception" says nothing without the inner one.
            var reason = ex is AuthenticationException { InnerException: { } inner } ? $"{ex.Message} {inner.Message}" : ex.Message;
            throw Broken($"{reason} ({doing})", ex);
        }
    }

    private SmtpTransportException Broken(string message, Exception? inner = null)
    {
        _broken = true;
        return inner is null ? new SmtpTransportException(message) : new SmtpTransportException(message, inner);
    }
}
