using System.Net.Sockets;
using Gateway.Abstractions;
using Gateway.Delivery.Routing;
using Gateway.Queue;
using Gateway.Queue.Scheduling;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Gateway.Delivery.Client;

/// <summary>
/// Delivers queued messages over SMTP with MailKit. The recipients of a job are routed, grouped by destination,
/// and each group is sent in one transaction to the first next hop that takes a connection (RFC 5321 5.1: try
/// the hosts in order; a host that cannot be reached sends us to the next one). Every recipient gets its own
/// outcome from its RCPT reply or the reply to the data.
/// </summary>
public sealed class SmtpDeliveryAgent : IDeliveryAgent, IAsyncDisposable
{
    private readonly DeliveryOptions _options;
    private readonly Router _router;
    private readonly TimeProvider _time;
    private readonly ILogger<SmtpDeliveryAgent> _logger;
    private readonly ConnectionPool _pool;
    private readonly ConcurrencyLimiter _limiter;

    public SmtpDeliveryAgent(DeliveryOptions options, Router router, TimeProvider time, ILogger<SmtpDeliveryAgent> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _router = router;
        _time = time;
        _logger = logger;
        _pool = new ConnectionPool(time, options.IdleConnectionTimeout);
        _limiter = new ConcurrencyLimiter(options.Concurrency, options.ConcurrencyPerDestination);
    }

    /// <summary>Idle connections kept for reuse (for tests and metrics).</summary>
    public int IdleConnections => _pool.IdleCount;

    public async ValueTask<IReadOnlyList<RecipientOutcome>> DeliverAsync(DeliveryJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var outcomes = new Dictionary<QueuedRecipient, RecipientOutcome>(ReferenceEqualityComparer.Instance);
        var decisions = new Dictionary<(MailDirection, string), RouteDecision>();
        var groups = new Dictionary<string, (RouteDecision Decision, List<QueuedRecipient> Recipients)>(StringComparer.Ordinal);
        foreach (var recipient in job.Recipients)
        {
            var key = (recipient.Direction, recipient.Domain.ToLowerInvariant());
            if (!decisions.TryGetValue(key, out var decision))
            {
                decision = await _router.RouteAsync(recipient.Domain, recipient.Direction, cancellationToken).ConfigureAwait(false);
                decisions[key] = decision;
            }

            if (decision.Failure is { } failure)
            {
                outcomes[recipient] = new RecipientOutcome(recipient.Address, failure.Kind, failure.Diagnostic, null, null, failure.EnhancedCode);
                continue;
            }

            if (!groups.TryGetValue(decision.Destination, out var group))
            {
                group = (decision, []);
                groups[decision.Destination] = group;
            }

            group.Recipients.Add(recipient);
        }

        var results = await Task.WhenAll(groups.Values.Select(g => DeliverGroupAsync(job, g.Decision, g.Recipients, cancellationToken))).ConfigureAwait(false);
        foreach (var outcome in results.SelectMany(r => r))
        {
            outcomes[outcome.Recipient] = outcome.Outcome;
        }

        var ordered = job.Recipients.Select(r => outcomes[r]).ToList();
        foreach (var outcome in ordered)
        {
            DeliveryLog.Outcome(_logger, job.QueueId, outcome.Address, outcome.RemoteMta ?? "none", outcome.Kind, outcome.Diagnostic);
        }

        return ordered;
    }

    public async ValueTask DisposeAsync()
    {
        await _pool.DisposeAsync().ConfigureAwait(false);
        _limiter.Dispose();
    }

    private async Task<List<(QueuedRecipient Recipient, RecipientOutcome Outcome)>> DeliverGroupAsync(
        DeliveryJob job, RouteDecision decision, List<QueuedRecipient> recipients, CancellationToken ct)
    {
        using var lease = await _limiter.AcquireAsync(decision.Destination, ct).ConfigureAwait(false);
        var lastError = "no next hop";
        var lastEnhanced = "4.4.1";
        NextHop? lastHop = null;
        foreach (var hop in decision.Hops)
        {
            lastHop = hop;
            var client = _pool.TryRent(hop);
            var reused = client is not null;
            if (reused)
            {
                DeliveryLog.Reused(_logger, job.QueueId, hop);
            }

            for (var round = 0; round < 2; round++)
            {
                if (client is null)
                {
                    (client, var error, var enhanced) = await ConnectAsync(hop, ct).ConfigureAwait(false);
                    if (client is null)
                    {
                        DeliveryLog.ConnectFailed(_logger, job.QueueId, hop, error);
                        lastError = error;
                        lastEnhanced = enhanced;
                        break;
                    }
                }

                List<(QueuedRecipient, RecipientOutcome)>? attempt;
                try
                {
                    attempt = await TransactAsync(client, hop, job, recipients, reused, ct).ConfigureAwait(false);
                }
                catch
                {
                    // Cancellation or an unreadable spool file: the connection is in an unknown state, drop it.
                    client.Dispose();
                    throw;
                }

                if (attempt is not null)
                {
                    return attempt;
                }

                // A pooled connection the server had already closed: try once more on a fresh one.
                client = null;
                reused = false;
            }
        }

        // RFC 5321 4.5.4.1: nobody could be reached this time; the scheduler retries later.
        var diagnostic = $"451 {lastEnhanced} delivery to {decision.Destination} failed temporarily: {lastError}";
        return recipients
            .Select(r => (r, new RecipientOutcome(r.Address, OutcomeKind.TransientFailure, diagnostic, lastHop?.Host, null, lastEnhanced)))
            .ToList();
    }

    private async ValueTask<(GatewaySmtpClient? Client, string Error, string Enhanced)> ConnectAsync(NextHop hop, CancellationToken ct)
    {
        var client = new GatewaySmtpClient
        {
            LocalDomain = _options.HostName,
            Timeout = (int)Math.Min(int.MaxValue, _options.CommandTimeout.TotalMilliseconds),
            CheckCertificateRevocation = hop.RequireTls,
        };
        if (!hop.RequireTls)
        {
            // Opportunistic STARTTLS (RFC 3207 4.1 / RFC 7435): any certificate is better than plaintext, so none
            // is refused here. Certificate checks per destination (MTA-STS, DANE, policy table) come with the
            // TLS-policy issue; with require_tls the platform's default validation applies already.
#pragma warning disable CA5359 // Deliberate: opportunistic TLS must not fall back to plaintext over a bad certificate.
            client.ServerCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        // No Nagle: the client writes the end of a message (".") and pipelined commands as small segments and then
        // waits for the reply; held back behind the peer's delayed ACK, each would cost up to 40 ms per message.
        var socket = new Socket(hop.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(hop.Address, hop.Port, linked.Token).ConfigureAwait(false);
            var tls = hop.RequireTls ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable;
            await client.ConnectAsync(socket, hop.Host, hop.Port, tls, linked.Token).ConfigureAwait(false);
            return (client, string.Empty, string.Empty);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed("connection timed out", "4.4.1");
        }
        catch (NotSupportedException)
        {
            // The route demands TLS and the server did not offer STARTTLS (Postfix wording and code).
            return Failed("TLS is required, but was not offered by host", "4.7.4");
        }
        catch (SslHandshakeException ex)
        {
            return Failed("TLS handshake failed: " + ex.Message, "4.7.5");
        }
        catch (SmtpCommandException ex)
        {
            return Failed("host refused to talk to us: " + ReplyText.Diagnostic((int)ex.StatusCode, ex.Message), "4.4.1");
        }
        catch (Exception ex) when (IsNetworkFailure(ex))
        {
            return Failed(ex.Message, "4.4.1");
        }

        (GatewaySmtpClient?, string, string) Failed(string error, string enhanced)
        {
            socket.Dispose();
            client.Dispose();
            return (null, error, enhanced);
        }
    }

    /// <summary>One transaction. Null means "the pooled connection was dead before MAIL FROM was answered".</summary>
    private async ValueTask<List<(QueuedRecipient, RecipientOutcome)>?> TransactAsync(
        GatewaySmtpClient client, NextHop hop, DeliveryJob job, List<QueuedRecipient> recipients, bool reused, CancellationToken ct)
    {
        var envelope = job.Envelope;
        var results = new List<(QueuedRecipient, RecipientOutcome)>();
        var context = new TransactionContext(envelope);
        var mailboxes = new List<MailboxAddress>();

        RecipientOutcome Outcome(QueuedRecipient r, int code, string? text, bool dsnPassedOn = false)
        {
            var kind = code < 300 ? OutcomeKind.Delivered : code < 500 ? OutcomeKind.TransientFailure : OutcomeKind.PermanentFailure;
            return new RecipientOutcome(r.Address, kind, ReplyText.Diagnostic(code, text), hop.Host, code, ReplyText.EnhancedCode(code, text), dsnPassedOn);
        }

        RecipientOutcome Local(QueuedRecipient r, OutcomeKind kind, int code, string enhanced, string text) =>
            new(r.Address, kind, $"{code} {enhanced} {text}", hop.Host, null, enhanced);

        List<(QueuedRecipient, RecipientOutcome)> AllLocal(OutcomeKind kind, int code, string enhanced, string text)
        {
            results.AddRange(recipients.Where(r => results.All(x => !ReferenceEquals(x.Item1, r))).Select(r => (r, Local(r, kind, code, enhanced, text))));
            return results;
        }

        MailboxAddress? sender;
        if (envelope.From is null)
        {
            // The null reverse path <> (RFC 5321 4.5.5), used by our own delivery notices.
            sender = new MailboxAddress(string.Empty, string.Empty);
        }
        else if (!Addresses.TryCreate(envelope.From, out sender))
        {
            _pool.Return(hop, client);
            return AllLocal(OutcomeKind.PermanentFailure, 553, "5.1.7", "bad sender address syntax");
        }

        foreach (var recipient in recipients)
        {
            if (Addresses.TryCreate(recipient.Address, out var mailbox))
            {
                context.Add(mailbox, recipient);
                mailboxes.Add(mailbox);
            }
            else
            {
                results.Add((recipient, Local(recipient, OutcomeKind.PermanentFailure, 553, "5.1.3", "bad recipient address syntax")));
            }
        }

        if (mailboxes.Count == 0)
        {
            _pool.Return(hop, client);
            return results;
        }

        var capabilities = client.Capabilities;
        var needsUtf8 = envelope.SmtpUtf8 || MessageContent.IsNonAscii(envelope.From) || recipients.Any(r => MessageContent.IsNonAscii(r.Address));
        if (needsUtf8 && (capabilities & SmtpCapabilities.UTF8) == 0)
        {
            // RFC 6531 3.4: without SMTPUTF8 at the next hop the message cannot be relayed as it is.
            _pool.Return(hop, client);
            return AllLocal(OutcomeKind.PermanentFailure, 553, "5.6.7", $"SMTPUTF8 is required, but was not offered by host {hop.Host}");
        }

        if ((capabilities & SmtpCapabilities.EightBitMime) == 0)
        {
            var scan = await job.OpenMessage(ct).ConfigureAwait(false);
            await using (scan.ConfigureAwait(false))
            {
                if (await MessageContent.HasEightBitAsync(scan, ct).ConfigureAwait(false))
                {
                    // RFC 6152 3: 8-bit data may not go to a server without 8BITMIME, and converting it would
                    // break signatures; the sender gets a notice instead (RFC 3463 X.6.3 conversion not possible).
                    _pool.Return(hop, client);
                    return AllLocal(OutcomeKind.PermanentFailure, 554, "5.6.3", $"message has 8-bit content, but {hop.Host} does not support 8BITMIME; conversion not possible");
                }
            }
        }

        var stream = await job.OpenMessage(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // Persistent parsing keeps the parts as windows over the spool file instead of copies in memory;
            // with no part modified, MimeKit writes every byte back exactly as read.
            var message = await MimeMessage.LoadAsync(ParserOptions.Default, stream, persistent: stream.CanSeek, ct).ConfigureAwait(false);
            using (message)
            {
                var format = FormatOptions.Default.Clone();
                format.NewLineFormat = NewLineFormat.Dos;
                format.International = needsUtf8;

                client.Transaction = context;
                client.DeliveryStatusNotificationType = envelope.Return switch
                {
                    DsnReturn.Full => DeliveryStatusNotificationType.Full,
                    DsnReturn.Headers => DeliveryStatusNotificationType.HeadersOnly,
                    _ => DeliveryStatusNotificationType.Unspecified,
                };
                var dsn = (capabilities & SmtpCapabilities.Dsn) != 0;
                try
                {
                    var reply = await client.SendAsync(format, message, sender, mailboxes, ct).ConfigureAwait(false);
                    foreach (var recipient in context.Accepted)
                    {
                        results.Add((recipient, Outcome(recipient, 250, reply, dsn && recipient.Notify != DsnNotify.None)));
                    }

                    AddRejected();
                    _pool.Return(hop, client);
                    return AllLocal(OutcomeKind.TransientFailure, 451, "4.4.2", $"no reply from {hop.Host} for this recipient");
                }
                catch (SmtpCommandException ex) when (ex.ErrorCode == SmtpErrorCode.MessageNotAccepted && context.Accepted.Count == 0)
                {
                    // Every RCPT was refused: their replies are the outcomes; nothing was sent.
                    AddRejected();
                    ReturnOrClose(hop, client);
                    return AllLocal(OutcomeKind.TransientFailure, 451, "4.4.2", $"no reply from {hop.Host} for this recipient");
                }
                catch (SmtpCommandException ex)
                {
                    // The reply to the data (or to MAIL FROM) answers for every recipient still open. After a
                    // refused MAIL FROM the RCPT replies are only "503 bad sequence" echoes and do not count.
                    if (ex.ErrorCode != SmtpErrorCode.SenderNotAccepted)
                    {
                        AddRejected();
                    }

                    var code = (int)ex.StatusCode;
                    if (code < 400)
                    {
                        code = 451;
                    }

                    foreach (var recipient in recipients.Where(r => results.All(x => !ReferenceEquals(x.Item1, r))))
                    {
                        results.Add((recipient, Outcome(recipient, code, ex.Message)));
                    }

                    ReturnOrClose(hop, client);
                    return results;
                }
                catch (ServiceNotAuthenticatedException ex)
                {
                    AddRejected();
                    ReturnOrClose(hop, client);
                    return AllLocal(OutcomeKind.TransientFailure, 451, "4.7.0", $"{hop.Host} requires authentication: {ex.Message}");
                }
                catch (Exception ex) when (IsNetworkFailure(ex) && !ct.IsCancellationRequested)
                {
                    client.Dispose();
                    if (reused && !context.SenderAnswered)
                    {
                        return null;
                    }

                    DeliveryLog.TransactionFailed(_logger, job.QueueId, hop, ex.Message);
                    AddRejected();
                    return AllLocal(OutcomeKind.TransientFailure, 451, "4.4.2", $"lost connection with {hop.Host}: {ex.Message}");
                }

                // No "finally" resetting client.Transaction here: once a client is back in the pool another delivery
                // may already have rented it and set its own transaction (the pool clears ours on return).
            }
        }

        void AddRejected()
        {
            foreach (var (recipient, response) in context.Rejected)
            {
                results.Add((recipient, Outcome(recipient, (int)response.StatusCode, response.Response)));
            }
        }
    }

    private void ReturnOrClose(NextHop hop, GatewaySmtpClient client)
    {
        if (client.IsConnected)
        {
            _pool.Return(hop, client);
        }
        else
        {
            client.Dispose();
        }
    }

    private static bool IsNetworkFailure(Exception ex) =>
        ex is IOException or SocketException or TimeoutException or OperationCanceledException
            or SmtpProtocolException or ServiceNotConnectedException or ObjectDisposedException;
}
