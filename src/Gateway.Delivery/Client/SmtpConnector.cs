using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gateway.Abstractions;
using Gateway.Delivery.Routing;
using Gateway.Delivery.Tls;
using Gateway.Smtp.Protocol;
using Microsoft.Extensions.Logging;

namespace Gateway.Delivery.Client;

/// <summary>
/// Opens a connection to a next hop that is ready for a mail transaction: TCP, the greeting, EHLO (HELO for
/// servers without ESMTP, RFC 5321 3.2) and STARTTLS when offered (RFC 3207), opportunistic unless the hop
/// requires TLS. Every way this can fail comes back as a deferral with its reason, never as an exception.
/// </summary>
internal sealed class SmtpConnector
{
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(5);

    private readonly DeliveryOptions _options;
    private readonly IServerCertificateValidator _validator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SmtpConnector(DeliveryOptions options, IServerCertificateValidator validator, TimeProvider time, ILogger logger)
    {
        _options = options;
        _validator = validator;
        _time = time;
        _logger = logger;
    }

    public async ValueTask<ConnectResult> ConnectAsync(NextHop hop, CancellationToken ct)
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
            var result = await GreetAsync(connection, hop, ct).ConfigureAwait(false);
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

    private async ValueTask<ConnectResult> GreetAsync(SmtpConnection connection, NextHop hop, CancellationToken ct)
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

        if (!connection.Capabilities.StartTls)
        {
            // The route demands TLS and the server did not offer it (Postfix's wording and code).
            return hop.RequireTls
                ? ConnectResult.Failed("TLS is required, but was not offered by host", "4.7.4")
                : ConnectResult.Ready(connection);
        }

        var reply = await connection.CommandAsync(ClientCommands.StartTls, "STARTTLS", ct).ConfigureAwait(false);
        if (reply.Code != 220)
        {
            if (hop.RequireTls)
            {
                return ConnectResult.Failed("TLS is required, but host refused to start TLS: " + ReplyText.Diagnostic(reply), "4.7.4");
            }

            // RFC 3207 4: after a refusal the session goes on as before; opportunistic TLS then means plaintext.
            DeliveryLog.StartTlsRefused(_logger, hop, reply);
            return ConnectResult.Ready(connection);
        }

        if (connection.HasBufferedInput())
        {
            // RFC 3207 4.2 / STARTTLS command injection: plaintext after the 220 would be read as if it came
            // through TLS. A server that does this cannot be talked to safely.
            return ConnectResult.Failed("TLS handshake failed: the server sent data after its STARTTLS reply", "4.7.5");
        }

        CertificateVerdict? verdict = null;
        try
        {
            await connection.StartTlsAsync(
                (_, certificate, chain, errors) =>
                {
                    verdict = certificate is null
                        ? CertificateVerdict.Refuse("no server certificate")
                        : _validator.Validate(hop, certificate, chain, errors);
                    return verdict.Accepted;
                },
                hop.RequireTls ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
                ct).ConfigureAwait(false);
        }
        catch (SmtpTransportException ex)
        {
            var reason = verdict is { Accepted: false, Reason: { } refusal }
                ? "server certificate not accepted: " + refusal
                : "TLS failed: " + ex.Message;
            return ConnectResult.Failed(reason, "4.7.5");
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

    private static ConnectResult Refused(SmtpReply reply) =>
        ConnectResult.Failed("host refused to talk to us: " + ReplyText.Diagnostic(reply), "4.4.1");
}
