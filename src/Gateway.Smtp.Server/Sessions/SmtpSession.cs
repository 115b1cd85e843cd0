using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Gateway.Abstractions;
using Gateway.Smtp.Protocol;
using Gateway.Smtp.Server.Logging;
using Microsoft.Extensions.Logging;

namespace Gateway.Smtp.Server.Sessions;

/// <summary>
/// One SMTP session (RFC 5321) over an accepted connection: greeting, the command loop and every command.
/// The session holds no policy: each stage goes to the <see cref="ISmtpSessionHandler"/>, whose verdicts the
/// session turns into replies. Commands live in the other parts of this partial class, one file per concern.
/// </summary>
internal sealed partial class SmtpSession
{
    private const int PendingReplyLimit = 4096;

    private readonly SmtpConnection _connection;
    private readonly SmtpListenerOptions _listener;
    private readonly SmtpSessionOptions _options;
    private readonly ISmtpSessionHandler _handler;
    private readonly ICredentialVerifier? _credentials;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _idleStop;
    private readonly CancellationToken _hardStop;
    private CommandLineReader _lineReader;
    private SessionFacts _facts;
    private SmtpState _state = SmtpState.Connected;
    private Transaction? _transaction;
    private CancellationToken _deadline;
    private SessionWaits? _waits;
    private int _errors;
    private int _transactions;
    private bool _commandSeen;

    // A BDAT transaction just failed: further BDATs are the client's pipeline catching up (RFC 3030 2).
    private bool _discardingFailedChunks;
    private string _closeReason = "quit";

    // idleStop: the server is stopping, a session waiting for a command ends now with 421 4.3.2.
    // hardStop: the stop deadline passed, sessions in the middle of a message end too.
    public SmtpSession(
        SmtpConnection connection,
        SmtpListenerOptions listener,
        SmtpSessionSetup setup,
        SessionFacts facts,
        TimeProvider time,
        ILogger logger,
        CancellationToken idleStop,
        CancellationToken hardStop)
    {
        _connection = connection;
        _listener = listener;
        _options = setup.Options;
        _handler = setup.Handler;
        _credentials = setup.Credentials;
        _facts = facts;
        _time = time;
        _logger = logger;
        _idleStop = idleStop;
        _hardStop = hardStop;
        _lineReader = new CommandLineReader(CommandReaderLimit);
    }

    private string Host => _options.HostName;

    // The parser judges each line against its verb's limit, so the reader must hand over MAIL and RCPT lines that
    // their parameters lengthen (RFC 5321 4.5.3.1.4); the reader's own cap still bounds everything.
    private int CommandReaderLimit => SmtpDefaults.LongestCommandLine(_options.MaxCommandLineLength);

    private bool StartTlsOffered =>
        _options.Certificates is not null && _connection.Tls is null && _listener.Tls == ListenerTlsMode.StartTls;

    // RFC 4954 4 / STYLE: no password over plaintext, so AUTH is only advertised inside TLS.
    private bool AuthOffered => _options.AuthEnabled && _credentials is not null && _connection.Tls is not null;

    // RFC 8689 2: REQUIRETLS is a promise about onward hops that only means something for mail that came over TLS,
    // so it is advertised (and its MAIL parameter taken) only inside TLS.
    private bool RequireTlsOffered => _options.RequireTlsExtension && _connection.Tls is not null;

    /// <summary>Runs the session to its end and returns why it ended (for the log).</summary>
    public async Task<string> RunAsync()
    {
        using var deadline = new CancellationTokenSource(_options.SessionDeadline, _time);
        _deadline = deadline.Token;
        using var waits = new SessionWaits(_time, _deadline, _idleStop, _hardStop);
        _waits = waits;
        var reason = "quit";
        try
        {
            reason = await RunPhasesAsync();
        }
        catch (SessionEndException end)
        {
            reason = end.Message;
            if (end.Reply is not null)
            {
                _connection.Write(end.Reply);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            reason = "connection lost";
        }
        finally
        {
            if (_transaction is not null)
            {
                await AbortWriterAsync(_transaction);
                _transaction = null;
            }

            await _connection.CloseAsync(TimeSpan.FromSeconds(5), _time);
        }

        return reason;
    }

    private async Task<string> RunPhasesAsync()
    {
        if (_listener.Tls == ListenerTlsMode.Implicit)
        {
            // RFC 8314 3.3: implicit TLS starts with the handshake; the greeting comes inside TLS.
            if (_options.Certificates is null)
            {
                _logger.ImplicitTlsWithoutCertificate(_facts.SessionId, _listener.Name);
                return "no certificate for implicit TLS";
            }

            if (!await HandshakeAsync())
            {
                return "TLS handshake failed";
            }
        }

        if (!await PregreetAsync())
        {
            return "talked before greeting";
        }

        var (ok, verdict) = await CallHandlerAsync(ct => _handler.OnConnectAsync(_facts, ct), "connect");
        if (!ok)
        {
            // Connect stage failed: tell the client to come back later rather than greeting it unchecked.
            _connection.Write(new SmtpReply(421, "4.3.0", $"{Host} Local error in processing"));
            return "connect stage failed";
        }

        if (!verdict.IsContinue)
        {
            var reply = ReplyFor(verdict);
            if (_logger.IsEnabled(LogLevel.Information))
            {
                _logger.ConnectRefused(_facts.SessionId, reply.ToString());
            }

            _connection.Write(reply);
            return "refused at connect";
        }

        _connection.Write(ServerReplies.Greeting(Host, _options.GreetingText));
        return await CommandLoopAsync();
    }

    /// <summary>
    /// Pregreet test (postscreen, maddy): a real client waits for the banner (RFC 5321 3.1). With no delay there
    /// is nothing to observe, so detection needs <see cref="SmtpSessionOptions.PregreetDelay"/> &gt; 0.
    /// </summary>
    private async Task<bool> PregreetAsync()
    {
        if (_options.PregreetDelay <= TimeSpan.Zero)
        {
            return true;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_deadline, _idleStop);
        try
        {
            await Task.Delay(_options.PregreetDelay, _time, linked.Token);
        }
        catch (OperationCanceledException)
        {
            // RFC 5321 3.1: 421 may take the place of the greeting.
            throw Ended(timedOut: false, "pregreet");
        }

        if (_options.RejectEarlyTalkers && (_connection.SocketAvailable > 0 || _connection.BufferedLength > 0))
        {
            _logger.EarlyTalker(_facts.SessionId, _facts.ClientAddress);
            _connection.Write(ServerReplies.EarlyTalker);
            return false;
        }

        return true;
    }

    private async Task<string> CommandLoopAsync()
    {
        while (true)
        {
            if (_idleStop.IsCancellationRequested)
            {
                throw new SessionEndException("server shutting down", ServerReplies.ShuttingDown(Host));
            }

            // The first command gets the greeting timeout, later ones RFC 5321 4.5.3.2.7's.
            var timeout = _commandSeen ? _options.CommandTimeout : _options.GreetingTimeout;
            var line = await ReadLineAsync(timeout, "command");
            if (line is null)
            {
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    _logger.ClientDisconnected(_facts.SessionId, _state.ToString());
                }

                return "client closed the connection";
            }

            _commandSeen = true;
            var keepGoing = line.Value.Status switch
            {
                LineStatus.TooLong => CountError(ServerReplies.LineTooLong),
                LineStatus.BareLineFeed => CountError(ServerReplies.BareLineFeed),
                _ => await ExecuteAsync(SmtpCommandParser.Parse(line.Value.Bytes, CurrentParserOptions())),
            };

            if (!keepGoing)
            {
                return _closeReason;
            }

            // A client that pipelines without ever reading replies must not grow our reply buffer without
            // bound: past a few KiB the replies go out now, and a client not reading them hits the timeout.
            if (_connection.PendingLength > PendingReplyLimit)
            {
                await FlushAsync();
            }
        }
    }

    private ParserOptions CurrentParserOptions() => new()
    {
        Extended = _facts.Greeting == GreetingKind.Ehlo,
        AuthOffered = AuthOffered,
        RequireTlsOffered = RequireTlsOffered,
        TransactionIsUtf8 = _transaction?.Parameters.SmtpUtf8 ?? false,
        MaxPathLength = _options.MaxPathLength,
        MaxCommandLineLength = _options.MaxCommandLineLength,
    };

    /// <summary>
    /// Reads one line with the current line reader. Null when the client closed the connection. The returned
    /// bytes are a copy: the pipe has moved past them. The whole line must arrive within <paramref name="timeout"/>
    /// (octets of a partial line do not restart it), and once it has begun, at the minimum data rate.
    /// </summary>
    private async ValueTask<(LineStatus Status, byte[] Bytes)?> ReadLineAsync(TimeSpan timeout, string phase)
    {
        var reader = _connection.Reader;
        var started = _time.GetTimestamp();
        TransferRate? rate = null;
        long partial = 0;
        while (true)
        {
            var left = timeout - _time.GetElapsedTime(started);
            var result = await ReadAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, idle: true, phase, rate?.Allowance(partial));
            var buffer = result.Buffer;
            if (_lineReader.TryRead(ref buffer, out var line))
            {
                var bytes = line.Status == LineStatus.Complete ? line.Line.ToArray() : [];

                // Consumed and examined only up to the line end: further pipelined commands stay readable
                // without waiting for the network (RFC 2920).
                reader.AdvanceTo(buffer.Start);
                return (line.Status, bytes);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }

            partial = buffer.Length;
            if (partial > 0)
            {
                rate ??= NewTransferRate();
            }
        }
    }

    private TransferRate NewTransferRate() => new(_time, _options.MinDataRate, _options.MinDataRateGrace);

    /// <summary>
    /// One bounded read. Whatever is already buffered is returned at once; only when the client has nothing
    /// more pending are the queued replies flushed (RFC 2920 3.1: answer a group when its last command is in)
    /// and the network awaited, with <paramref name="timeout"/> from the injected TimeProvider.
    /// </summary>
    /// <param name="timeout">The limit for this wait.</param>
    /// <param name="idle">Waiting for a command: a server stop ends the wait at once.</param>
    /// <param name="phase">For the log when the wait times out.</param>
    /// <param name="rateAllowance">When a minimum data rate applies: how long the transfer may wait for more.</param>
    private async ValueTask<ReadResult> ReadAsync(TimeSpan timeout, bool idle, string phase, TimeSpan? rateAllowance = null)
    {
        var reader = _connection.Reader;
        if (reader.TryRead(out var buffered))
        {
            return buffered;
        }

        await FlushAsync();
        var byRate = rateAllowance is { } allowance && allowance < timeout;
        var waits = _waits!;
        var token = waits.Arm(byRate ? rateAllowance!.Value : timeout, idle);
        try
        {
            return await reader.ReadAsync(token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            var timedOut = waits.LimitReached;
            throw Ended(timedOut, byRate && timedOut ? phase + " (data rate below the minimum)" : phase);
        }
        finally
        {
            waits.Disarm();
        }
    }

    private async ValueTask FlushAsync()
    {
        if (!_connection.HasPendingReplies)
        {
            return;
        }

        // A client that does not read our replies must not hold the session forever.
        var waits = _waits!;
        var token = waits.Arm(_options.CommandTimeout, idle: false);
        try
        {
            await _connection.FlushAsync(token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Nothing more can be said to a client that does not read.
            _connection.DiscardPendingReplies();
            throw new SessionEndException("client not reading replies", null);
        }
        finally
        {
            waits.Disarm();
        }
    }

    /// <summary>Why a wait was cancelled, as the exception that ends the session with the matching reply.</summary>
    private SessionEndException Ended(bool timedOut, string phase)
    {
        if (timedOut || _deadline.IsCancellationRequested)
        {
            _logger.Timeout(_facts.SessionId, timedOut ? phase : "session deadline");
            return new SessionEndException("timeout", ServerReplies.Timeout(Host));
        }

        return new SessionEndException("server shutting down", ServerReplies.ShuttingDown(Host));
    }

    /// <summary>Sends an error reply and counts it; at the limit the session ends with 421 4.7.0.</summary>
    private bool CountError(SmtpReply reply)
    {
        _connection.Write(reply);
        _errors++;
        if (_errors >= _options.MaxErrors)
        {
            _logger.TooManyErrors(_facts.SessionId, _errors, _facts.ClientAddress);
            throw new SessionEndException("too many errors", ServerReplies.TooManyErrors(Host));
        }

        return true;
    }

    private bool Reply(SmtpReply reply)
    {
        _connection.Write(reply);
        return true;
    }

    /// <summary>
    /// Calls a stage check. An exception from it is a local error (451 4.3.0 for the caller to send), never an
    /// acceptance; a cancellation by our own deadline or hard stop ends the session.
    /// </summary>
    private async ValueTask<(bool Ok, T Value)> CallHandlerAsync<T>(Func<CancellationToken, ValueTask<T>> call, string stage)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_deadline, _hardStop);
        try
        {
            return (true, await call(linked.Token));
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            throw Ended(timedOut: false, stage);
        }
#pragma warning disable CA1031 // A failing stage check must become 451, whatever it threw (ISmtpSessionHandler contract).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LocalError(_facts.SessionId, stage, ex);
            return (false, default!);
        }
    }

    /// <summary>
    /// The reply for a non-continue verdict, with safe defaults when the check gave none. A refusal is never
    /// sent with a positive code: a 250 to a refused RCPT, DATA or BDAT LAST would tell the client the mail was
    /// taken when it was not (DESIGN invariant 1: only the writer's CompleteAsync says 250 to a message).
    /// </summary>
    private SmtpReply ReplyFor(Verdict verdict) => verdict.Reply is { IsPositive: false } reply
        ? reply
        : verdict.Action switch
        {
            VerdictAction.TempFail => ServerReplies.DefaultTempFail,
            VerdictAction.Disconnect => ServerReplies.DefaultDisconnect(Host),
            _ => ServerReplies.DefaultReject,
        };

    /// <summary>Answers a refused stage; false when the verdict also closes the connection.</summary>
    private bool Refuse(Verdict verdict)
    {
        _connection.Write(ReplyFor(verdict));
        if (verdict.Action == VerdictAction.Disconnect)
        {
            _closeReason = "disconnected by policy";
            return false;
        }

        return true;
    }

    private async ValueTask ResetTransactionAsync()
    {
        if (_transaction is not null)
        {
            await AbortWriterAsync(_transaction);
            _transaction = null;
        }

        if (_state != SmtpState.Connected)
        {
            _state = SmtpState.Ready;
        }
    }
}
