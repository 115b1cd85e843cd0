using System.Security.Authentication;
using Gateway.Abstractions;
using Gateway.Smtp.Protocol;
using Gateway.Smtp.Server.Logging;
using Gateway.Smtp.Server.Tls;

namespace Gateway.Smtp.Server.Sessions;

internal sealed partial class SmtpSession
{
    /// <summary>
    /// STARTTLS (RFC 3207; STYLE habit 10, after Postfix): 220, flush, throw away any plaintext the client
    /// pipelined behind the command, handshake with a timeout, then forget everything learnt before TLS.
    /// </summary>
    private async ValueTask<bool> StartTlsAsync()
    {
        if (_connection.Tls is not null)
        {
            return CountError(ServerReplies.TlsAlreadyActive);
        }

        if (!StartTlsOffered)
        {
            return CountError(ServerReplies.StartTlsNotOffered);
        }

        if (SmtpStateTable.Check(_state, SmtpVerb.StartTls) is { } sequenceError)
        {
            return CountError(sequenceError);
        }

        _connection.Write(ServerReplies.ReadyToStartTls);
        await FlushAsync();

        // RFC 3207 5 / CVE-2011-0411: octets after the STARTTLS line were sent in plaintext; executing them as
        // if they came through TLS is the command-injection attack. They are dropped, never answered.
        var discarded = _connection.DiscardBuffered();
        if (discarded > 0)
        {
            _logger.PlaintextAfterStartTlsDiscarded(_facts.SessionId, discarded);
        }

        if (!await HandshakeAsync())
        {
            _closeReason = "TLS handshake failed";
            return false;
        }

        // RFC 3207 4.2: the server must discard any knowledge obtained from the client before TLS.
        await ResetTransactionAsync();
        _state = SmtpState.Connected;
        _facts = _facts with { Greeting = GreetingKind.None, HeloName = null, AuthenticatedUser = null };
        return true;
    }

    /// <summary>Server-side TLS handshake with its own timeout. Failures are logged and end the session silently.</summary>
    private async Task<bool> HandshakeAsync()
    {
        // The certificates of the snapshot this session opened with: a renewal swapped in meanwhile is for the next one.
        var certificates = _options.Certificates!;
        using var timeout = new CancellationTokenSource(_options.TlsHandshakeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _deadline, _hardStop);
        try
        {
            await _connection.UpgradeToTlsAsync(
                (_, hello, _, _) => ValueTask.FromResult(ServerTlsOptions.For(certificates.Select(hello.ServerName), _options.StrictCipherSuites)),
                linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            _logger.TlsHandshakeFailed(_facts.SessionId, _facts.ClientAddress, timeout.IsCancellationRequested ? "timeout" : "stopped");
            return false;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or System.Net.Sockets.SocketException)
        {
            _logger.TlsHandshakeFailed(_facts.SessionId, _facts.ClientAddress, ex.Message);
            return false;
        }

        var tls = _connection.Tls!;
        _facts = _facts with { Tls = new TlsFacts(tls.SslProtocol, tls.NegotiatedCipherSuite) };

        // A fresh reader: nothing of the plaintext line state carries into the TLS session.
        _lineReader = new CommandLineReader(CommandReaderLimit);
        _logger.TlsEstablished(_facts.SessionId, tls.SslProtocol, tls.NegotiatedCipherSuite);
        return true;
    }
}
