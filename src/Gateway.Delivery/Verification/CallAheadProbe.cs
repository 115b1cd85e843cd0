using Gateway.Abstractions;
using Gateway.Delivery.Client;
using Gateway.Delivery.Routing;
using Gateway.Delivery.Tls;
using Gateway.Smtp.Protocol;
using Microsoft.Extensions.Logging;

namespace Gateway.Delivery.Verification;

/// <summary>
/// Asks a domain's internal server whether it takes mail for an address, the way delivery would reach it: the
/// domain's inbound route (<see cref="Router"/>), our SMTP client's connection set-up (<see cref="SmtpConnector"/>:
/// greeting, EHLO, STARTTLS as the route requires), then MAIL FROM:&lt;&gt;, RCPT TO, RSET and QUIT. One connection
/// per check, and one time limit for all of it. 250/251 is accepted, 550/551/553 refused; everything else (no route,
/// no connection, a timeout, 4xx, other codes) is unavailable, which the caller must answer with a temporary failure.
/// </summary>
public sealed class CallAheadProbe
{
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(2);

    private readonly DeliveryOptions _options;
    private readonly Router _router;
    private readonly IServerCertificateValidator _validator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="options">The delivery settings in force (routes, our name, the listeners a route must not loop to).</param>
    /// <param name="dns">Resolves route host names.</param>
    /// <param name="time">The clock of the time limits.</param>
    /// <param name="loggers">Routing and connection trouble is logged as for delivery.</param>
    /// <param name="validator">Decides about the internal server's certificate; default: <see cref="DefaultServerCertificateValidator"/>.</param>
    public CallAheadProbe(DeliveryOptions options, IDnsResolver dns, TimeProvider time, ILoggerFactory loggers, IServerCertificateValidator? validator = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        _options = options;
        _router = new Router(options, dns, loggers.CreateLogger<Router>());
        _validator = validator ?? new DefaultServerCertificateValidator(time);
        _time = time;
        _logger = loggers.CreateLogger<CallAheadProbe>();
    }

    /// <summary>The outcome a reply to RCPT stands for.</summary>
    public static CallAheadOutcome Classify(int rcptReplyCode) => rcptReplyCode switch
    {
        250 or 251 => CallAheadOutcome.Accepted,
        550 or 551 or 553 => CallAheadOutcome.Refused,
        _ => CallAheadOutcome.Unavailable,
    };

    /// <summary>Asks the internal server of <paramref name="recipient"/>'s domain; never throws for what the network does.</summary>
    /// <param name="recipient">The address, in one of our domains.</param>
    /// <param name="timeout">For everything: routing, connecting, every reply.</param>
    /// <param name="cancellationToken">The caller's (the SMTP session's).</param>
    public async Task<CallAheadResult> ProbeAsync(Mailbox recipient, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        using var budget = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            var route = await _router.RouteAsync(recipient.Domain, MailDirection.Inbound, linked.Token).ConfigureAwait(false);
            if (route.Failure is { } failure)
            {
                return CallAheadResult.Unavailable("no route: " + failure.Diagnostic);
            }

            // Short limits for every step: an RCPT is waiting for the answer.
            var connector = new SmtpConnector(
                _options with { ConnectTimeout = timeout, CommandTimeout = timeout, DataBlockTimeout = timeout }, _validator, _time, _logger, reports: null);
            var problem = "no internal server to ask";
            foreach (var hop in route.Hops)
            {
                var connected = await connector.ConnectAsync(hop, linked.Token).ConfigureAwait(false);
                if (connected.Connection is not { } connection)
                {
                    // RFC 5321 5.1: a host that cannot be reached sends us to the next one, as for delivery.
                    problem = $"{hop}: {connected.Error}";
                    continue;
                }

                try
                {
                    return await AskAsync(connection, recipient, linked.Token).ConfigureAwait(false);
                }
                catch (SmtpTransportException e)
                {
                    return CallAheadResult.Unavailable($"{hop}: {e.Message}");
                }
                finally
                {
                    await connection.QuitAsync(QuitTimeout).ConfigureAwait(false);
                }
            }

            return CallAheadResult.Unavailable(problem);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return CallAheadResult.Unavailable($"no answer within {timeout.TotalSeconds:0.#} s");
        }
    }

    private static async Task<CallAheadResult> AskAsync(SmtpConnection connection, Mailbox recipient, CancellationToken cancellationToken)
    {
        var capabilities = connection.Capabilities;
        long? size = capabilities.Size && capabilities.MaxSize > 0 ? capabilities.MaxSize : null;
        var smtpUtf8 = recipient.HasNonAsciiLocalPart;
        if (smtpUtf8 && !capabilities.SmtpUtf8)
        {
            // Delivery could never hand this address over (RFC 6531 3.4): as good as a refusal, and said now.
            return new CallAheadResult(CallAheadOutcome.Refused, $"{connection.Hop}: no SMTPUTF8 for a non-ASCII address", size);
        }

        if (!ClientCommands.TryFormatPath(recipient.ToString(), out var path))
        {
            return new CallAheadResult(CallAheadOutcome.Refused, $"{connection.Hop}: the address cannot be written as a path", size);
        }

        // RFC 5321 4.5.5: the null reverse path, so that nothing the check sets off can mail anyone back.
        var mail = await connection.CommandAsync(
            ClientCommands.Mail("<>", smtpUtf8 ? new MailParameters { SmtpUtf8 = true } : MailParameters.None), "MAIL FROM", cancellationToken).ConfigureAwait(false);
        if (mail.Code != 250)
        {
            return CallAheadResult.Unavailable($"{connection.Hop}: MAIL FROM:<> answered {ReplyText.Diagnostic(mail)}", size);
        }

        var rcpt = await connection.CommandAsync(ClientCommands.Rcpt(path, RecipientParameters.None, smtpUtf8), "RCPT TO", cancellationToken).ConfigureAwait(false);
        if (connection.IsUsable)
        {
            try
            {
                // The transaction ends here; QUIT follows.
                await connection.CommandAsync(ClientCommands.Rset, "RSET", cancellationToken).ConfigureAwait(false);
            }
            catch (SmtpTransportException)
            {
                // The answer to RCPT is in; how the server takes our leaving changes nothing.
            }
        }

        return new CallAheadResult(Classify(rcpt.Code), $"{connection.Hop}: {ReplyText.Diagnostic(rcpt)}", size);
    }
}
