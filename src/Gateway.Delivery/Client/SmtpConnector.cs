using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gateway.Abstractions;
using Gateway.Delivery.Routing;
using Gateway.Delivery.Tls;
using Gateway.Smtp.Protocol;
using Gateway.Transport;
using Gateway.Transport.Policy;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Logging;

namespace Gateway.Delivery.Client;

/// <summary>
/// Opens a connection to a next hop that is ready for a mail transaction: TCP, the greeting, EHLO (HELO for
/// servers without ESMTP, RFC 5321 3.2) and STARTTLS when offered (RFC 3207), opportunistic unless the hop
/// requires TLS. Every way this can fail comes back as a deferral with its reason, never as an exception. The hop's
/// TLS requirement decides: "none" never starts TLS, "may" takes what it gets (after a failed handshake it tries once more
/// on a new connection without STARTTLS, and so does an MTA-STS policy in testing mode), every stricter level fails the hop
/// rather than send in plaintext or to an unauthenticated server (RFC 8461 5, RFC 7672 2.2). Sessions to MX hosts
/// are counted for TLS-RPT (RFC 8460): a success once TLS is up as the policy requires, a failure with its result
/// type otherwise (in testing mode too, where delivery goes on).
/// </summary>
internal sealed class SmtpConnector
{
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(5);

    private readonly DeliveryOptions _options;
    private readonly IServerCertificateValidator _validator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITlsRptRecorder? _reports;

    public SmtpConnector(DeliveryOptions options, IServerCertificateValidator validator, TimeProvider time, ILogger logger, ITlsRptRecorder? reports)
    {
        _options = options;
        _validator = validator;
        _time = time;
        _logger = logger;
        _reports = reports;
    }

    public async ValueTask<ConnectResult> ConnectAsync(NextHop hop, CancellationToken ct)
    {
        var result = await ConnectOnceAsync(hop, startTls: true, ct).ConfigureAwait(false);
        if (result.RetryWithoutTls)
        {
            // Opportunistic TLS (RFC 7435) whose handshake failed: a broken TLS stack must not hold the mail until it
            // bounces when plaintext is allowed. Postfix does the same at "may"; the failure was already reported.
            DeliveryLog.PlaintextRetry(_logger, hop, result.Error);
            result = await ConnectOnceAsync(hop, startTls: false, ct).ConfigureAwait(false);
        }

        return result;
    }

    private async ValueTask<ConnectResult> ConnectOnceAsync(NextHop hop, bool startTls, CancellationToken ct)
    {
        // No Nagle: a pipelined group or the end of data is a small segment followed by waiting for the reply;
        // held back behind the peer's delayed ACK, each would cost up to 40 ms per message.
        var socket = new Socket(hop.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token))
        {
            try
            {
                await socket.ConnectAsync(hop.Address, hop.Port, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                socket.Dispose();
                return ConnectResult.Failed("connection timed out", "4.4.1");
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                return ConnectResult.Failed(ex.Message, "4.4.1");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        var connection = new SmtpConnection(socket, hop, _time, _options.CommandTimeout, _options.DataBlockTimeout);
        try
        {
            var result = await GreetAsync(connection, hop, startTls, ct).ConfigureAwait(false);
            if (result.Connection is null)
            {
                // RFC 5321 3.1 / 4.1.1.10: leave politely; nobody waits for it.
                _ = connection.QuitAsync(QuitTimeout);
            }

            return result;
        }
        catch (SmtpTransportException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            return ConnectResult.Failed(ex.Message, "4.4.1");
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async ValueTask<ConnectResult> GreetAsync(SmtpConnection connection, NextHop hop, bool startTls, CancellationToken ct)
    {
        var greeting = await connection.ReadReplyAsync("the greeting", ct).ConfigureAwait(false);
        if (greeting.Code != 220)
        {
            return Refused(greeting);
        }

        if (await HelloAsync(connection, allowHelo: true, ct).ConfigureAwait(false) is { } helloRefused)
        {
            return Refused(helloRefused);
        }

        var tls = hop.Tls;
        if (tls.Level == TlsLevel.None || !startTls)
        {
            // Postfix "none": the destination is known not to do TLS properly; do not even try. The same for the
            // plaintext retry after a failed opportunistic handshake.
            return ConnectResult.Ready(connection);
        }

        if (!connection.Capabilities.StartTls)
        {
            return NoTls(connection, hop, CertificatePolicyCheck.StartTlsNotOffered(tls), "4.7.4");
        }

        var reply = await connection.CommandAsync(ClientCommands.StartTls, "STARTTLS", ct).ConfigureAwait(false);
        if (reply.Code != 220)
        {
            // RFC 3207 4: after a refusal the session goes on as before; opportunistic TLS then means plaintext.
            var refused = CertificatePolicyCheck.StartTlsNotOffered(tls);
            if (refused.Reason is { } why)
            {
                refused = refused with { Reason = why.Replace("STARTTLS not offered by", "STARTTLS refused by", StringComparison.Ordinal) + ": " + ReplyText.Diagnostic(reply) };
            }
            else
            {
                DeliveryLog.StartTlsRefused(_logger, hop, reply);
            }

            return NoTls(connection, hop, refused, "4.7.4");
        }

        if (connection.HasBufferedInput())
        {
            // RFC 3207 4.2 / STARTTLS command injection: plaintext after the 220 would be read as if it came
            // through TLS. A server that does this cannot be talked to safely.
            Report(connection, hop, TlsRptResultTypes.ValidationFailure);
            return ConnectResult.Failed("TLS handshake failed: the server sent data after its STARTTLS reply", "4.7.5");
        }

        CertificateVerdict? verdict = null;
        try
        {
            // No revocation fetches: neither MTA-STS nor DANE asks for them, and an online check from inside a
            // handshake would hang delivery on a third party's responder.
            await connection.StartTlsAsync(
                (_, certificate, chain, errors) =>
                {
                    verdict = certificate is null
                        ? CertificateVerdict.Refuse($"no server certificate from {hop.Host}", TlsRptResultTypes.ValidationFailure)
                        : _validator.Validate(hop, certificate, chain, errors);
                    return verdict.Accepted;
                },
                X509RevocationMode.NoCheck,
                ct).ConfigureAwait(false);
        }
        catch (SmtpTransportException ex)
        {
            if (verdict is { Accepted: false, Reason: { } refusal })
            {
                Report(connection, hop, verdict.ResultType ?? TlsRptResultTypes.ValidationFailure);
                return ConnectResult.Failed(refusal.StartsWith("TLS required by", StringComparison.Ordinal) ? refusal : "server certificate not accepted: " + refusal, "4.7.5");
            }

            var failed = CertificatePolicyCheck.HandshakeFailed(tls, ex.Message);
            Report(connection, hop, failed.ResultType ?? TlsRptResultTypes.ValidationFailure);
            return ConnectResult.Failed(hop.RequireTls ? failed.Reason! : "TLS failed: " + ex.Message, "4.7.5") with { RetryWithoutTls = !hop.RequireTls };
        }

        if (verdict is { ResultType: { } testingFailure, Reason: { } reported })
        {
            // Testing mode: the check failed, delivery goes on, the failure is reported (RFC 8461 5).
            DeliveryLog.TlsPolicyTesting(_logger, hop, reported);
            Report(connection, hop, testingFailure);
        }
        else if (hop.Reported)
        {
            _reports?.RecordSuccess(tls.Report);
        }

        DeliveryLog.TlsEstablished(_logger, hop, connection.Tls!.SslProtocol, connection.Tls.NegotiatedCipherSuite);

        // RFC 3207 4.2: forget what was announced in plaintext and ask again.
        if (await HelloAsync(connection, allowHelo: false, ct).ConfigureAwait(false) is { } refusedAfterTls)
        {
            return Refused(refusedAfterTls);
        }

        return ConnectResult.Ready(connection);
    }

    /// <summary>EHLO, or HELO after a 5xx to EHLO (RFC 5321 3.2); null when greeted, else the refusing reply.</summary>
    private async ValueTask<SmtpReply?> HelloAsync(SmtpConnection connection, bool allowHelo, CancellationToken ct)
    {
        var reply = await connection.CommandAsync(ClientCommands.Ehlo(_options.HostName), "EHLO", ct).ConfigureAwait(false);
        if (reply.Code == 250)
        {
            connection.Capabilities = ServerCapabilities.FromEhloReply(reply);
            return null;
        }

        if (!allowHelo || reply.Code < 500 || !connection.IsUsable)
        {
            return reply;
        }

        DeliveryLog.HeloFallback(_logger, connection.Hop, reply);
        reply = await connection.CommandAsync(ClientCommands.Helo(_options.HostName), "HELO", ct).ConfigureAwait(false);
        if (reply.Code != 250)
        {
            return reply;
        }

        connection.Capabilities = ServerCapabilities.None;
        return null;
    }

    /// <summary>No TLS on this connection: go on in plaintext where the requirement allows, else fail the hop.</summary>
    private ConnectResult NoTls(SmtpConnection connection, NextHop hop, TlsCheckResult check, string enhancedCode)
    {
        if (check.ResultType is { } type)
        {
            Report(connection, hop, type);
        }

        if (!check.Accepted)
        {
            return ConnectResult.Failed(check.Reason ?? $"TLS is required, but was not offered by {hop.Host}", enhancedCode);
        }

        if (check.ReportOnly && check.Reason is { } reason)
        {
            DeliveryLog.TlsPolicyTesting(_logger, hop, reason);
        }

        return ConnectResult.Ready(connection);
    }

    /// <summary>Counts a failed session for TLS-RPT (RFC 8460 4.3: who sent, to which MX and address).</summary>
    private void Report(SmtpConnection connection, NextHop hop, string resultType)
    {
        if (!hop.Reported || _reports is null)
        {
            return;
        }

        _reports.RecordFailure(hop.Tls.Report, new TlsRptFailure(resultType, connection.LocalAddress, hop.Host, hop.Address));
    }

    private static ConnectResult Refused(SmtpReply reply) =>
        ConnectResult.Failed("host refused to talk to us: " + ReplyText.Diagnostic(reply), "4.4.1");
}
