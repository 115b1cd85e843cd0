using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gateway.Bench;

/// <summary>
/// STARTTLS session load: a fixed number of concurrent loops, each opening one session after the other as fast as
/// the server answers: connect, greeting, EHLO, STARTTLS (RFC 3207), TLS handshake, EHLO again, QUIT, and the
/// server's close. The server's certificate must be the one the run made (compared by its SHA-256 hash; building
/// a chain per session would load the client, not the server). Whether the server resumed a session is read from
/// its ServerHello on the wire (<see cref="ServerHelloInspector"/>), not assumed from the client's options.
/// </summary>
internal sealed class StartTlsLoad
{
    private static readonly byte[] Ehlo = "EHLO load.bench.test\r\n"u8.ToArray();
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    private readonly IPEndPoint _endPoint;
    private readonly int _concurrency;
    private readonly SslClientAuthenticationOptions _options;

    /// <param name="endPoint">The server.</param>
    /// <param name="serverName">SNI and the client's session-cache key (the .NET client resumes only with a target name).</param>
    /// <param name="certificateHash">SHA-256 of the certificate the server must present.</param>
    /// <param name="concurrency">Sessions open at the same time.</param>
    /// <param name="resume">
    /// Whether the client offers to resume (AllowTlsResume: the .NET client then keeps the server's session ticket
    /// per target name and offers it in the next ClientHello); false: every handshake is a full one.
    /// </param>
    public StartTlsLoad(IPEndPoint endPoint, string serverName, byte[] certificateHash, int concurrency, bool resume)
    {
        _endPoint = endPoint;
        _concurrency = concurrency;
        _options = new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            AllowTlsResume = resume,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,

            // A resumed handshake presents no certificate; its session was made with a checked one.
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is null || SHA256.HashData(certificate.GetRawCertData()).AsSpan().SequenceEqual(certificateHash),
        };
    }

    public sealed record Result(int Sessions, int Failed, int Resumed, int Unknown, TimeSpan Elapsed, string? Protocol, string? FirstError)
    {
        public double Rate => (Sessions - Failed) / Elapsed.TotalSeconds;
    }

    /// <summary>Runs <paramref name="sessions"/> sessions over the concurrent loops and times them all.</summary>
    public async Task<Result> RunAsync(int sessions, CancellationToken cancellationToken)
    {
        var next = 0;
        var failed = 0;
        var resumed = 0;
        var unknown = 0;
        string? protocol = null;
        string? firstError = null;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, _concurrency).Select(_ => Task.Run(
            async () =>
            {
                while (Interlocked.Increment(ref next) <= sessions && !cancellationToken.IsCancellationRequested)
                {
                    try
                    {
                        var (wasResumed, negotiated) = await SessionAsync(cancellationToken).ConfigureAwait(false);
                        protocol ??= negotiated;
                        if (wasResumed is null)
                        {
                            Interlocked.Increment(ref unknown);
                        }
                        else if (wasResumed.Value)
                        {
                            Interlocked.Increment(ref resumed);
                        }
                    }
                    catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException
                        or InvalidOperationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref failed);
                        Interlocked.CompareExchange(ref firstError, ex.Message, null);
                    }
                }
            },
            cancellationToken))).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return new Result(sessions, failed, resumed, unknown, watch.Elapsed, protocol, firstError);
    }

    /// <summary>One session; returns whether the server resumed (null: its ServerHello could not be read) and the protocol.</summary>
    private async Task<(bool? Resumed, string Protocol)> SessionAsync(CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connect.CancelAfter(ConnectTimeout);
            await socket.ConnectAsync(_endPoint, connect.Token).ConfigureAwait(false);
        }

        var network = new RecordingStream(new NetworkStream(socket, ownsSocket: false));
        await using (network.ConfigureAwait(false))
        {
            var plain = new SmtpReplyReader(network);
            await ExpectAsync(plain, "220", "greeting", cancellationToken).ConfigureAwait(false);
            await CommandAsync(network, plain, Ehlo, "250", cancellationToken).ConfigureAwait(false);
            await CommandAsync(network, plain, "STARTTLS\r\n"u8.ToArray(), "220", cancellationToken).ConfigureAwait(false);
            if (plain.HasBuffered)
            {
                throw new InvalidOperationException("the server sent more after 220 to STARTTLS (RFC 3207 4)");
            }

            network.Record();
            var tls = new SslStream(network, leaveInnerStreamOpen: true);
            await using (tls.ConfigureAwait(false))
            {
                await tls.AuthenticateAsClientAsync(_options, cancellationToken).ConfigureAwait(false);
                var resumed = ServerHelloInspector.Resumed(network.Recorded());
                network.StopRecording();

                var secure = new SmtpReplyReader(tls);
                await CommandAsync(tls, secure, Ehlo, "250", cancellationToken).ConfigureAwait(false);
                await CommandAsync(tls, secure, "QUIT\r\n"u8.ToArray(), "221", cancellationToken).ConfigureAwait(false);

                // The server closes first, so the connection's TIME_WAIT stays on its side, as with real clients.
                await WaitForCloseAsync(tls, cancellationToken).ConfigureAwait(false);
                return (resumed, $"{tls.SslProtocol} {tls.NegotiatedCipherSuite}");
            }
        }
    }

    private static async Task CommandAsync(Stream stream, SmtpReplyReader replies, byte[] command, string expected, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(command, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(replies, expected, Encoding.ASCII.GetString(command).TrimEnd(), cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExpectAsync(SmtpReplyReader replies, string expected, string after, CancellationToken cancellationToken)
    {
        var reply = await replies.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        if (!reply.StartsWith(expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{after}: expected {expected}, got '{reply}'");
        }
    }

    private static async Task WaitForCloseAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[256];
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (IOException)
        {
            // Closed without close_notify, or reset: closed all the same.
        }
    }

    /// <summary>Passes reads and writes through and keeps a copy of what the server sends while recording (at most 16 KiB).</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        private const int MaxRecorded = 16384;
        private readonly MemoryStream _recorded = new();
        private bool _recording;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Record() => _recording = true;

        public void StopRecording() => _recording = false;

        public ReadOnlySpan<byte> Recorded() => _recorded.GetBuffer().AsSpan(0, (int)_recorded.Length);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (_recording && _recorded.Length < MaxRecorded)
            {
                _recorded.Write(buffer.Span[..Math.Min(read, MaxRecorded - (int)_recorded.Length)]);
            }

            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                _recorded.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await _recorded.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
