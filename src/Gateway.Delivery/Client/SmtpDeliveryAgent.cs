using Gateway.Abstractions;
using Gateway.Delivery.Routing;
using Gateway.Delivery.Tls;
using Gateway.Queue;
using Gateway.Queue.Scheduling;
using Gateway.Transport;
using Gateway.Transport.TlsRpt;
using Microsoft.Extensions.Logging;

namespace Gateway.Delivery.Client;

/// <summary>
/// Delivers queued messages over SMTP with our own client, which sends the stored bytes as they were accepted:
/// never parsed, never re-encoded (DESIGN: delivery never re-parses or re-serialises a message). The recipients
/// of a job are routed, grouped by destination, and each group is sent in one transaction to the first next hop
/// that takes a connection (RFC 5321 5.1: try the hosts in order; a host that cannot be reached sends us to the
/// next one). Every recipient gets its own outcome from its RCPT reply or the reply to the data. A message sent with
/// REQUIRETLS (RFC 8689) goes only to hops whose TLS is authenticated by DANE, an enforced MTA-STS policy or a
/// verified route, and (except for the final internal route) only to a server that offers REQUIRETLS itself; with
/// no such path the sender gets a failure notice, never a plaintext delivery.
/// </summary>
public sealed class SmtpDeliveryAgent : IDeliveryAgent, IAsyncDisposable
{
    private readonly DeliveryOptions _options;
    private readonly Router _router;
    private readonly TimeProvider _time;
    private readonly ILogger<SmtpDeliveryAgent> _logger;
    private readonly ConnectionPool _pool;
    private readonly ConcurrencyLimiter _limiter;
    private readonly SmtpConnector _connector;
    private readonly ITlsRptRecorder? _tlsReports;

    /// <param name="options">Our name, timeouts, limits.</param>
    /// <param name="router">Where each recipient domain goes.</param>
    /// <param name="time">The clock of timeouts and of the connection pool.</param>
    /// <param name="logger">Outcomes and connection trouble.</param>
    /// <param name="certificateValidator">Decides about next hops' TLS certificates; default: <see cref="DefaultServerCertificateValidator"/>.</param>
    /// <param name="tlsReports">Counts MX sessions for TLS-RPT (RFC 8460); null: not counted.</param>
    public SmtpDeliveryAgent(
        DeliveryOptions options,
        Router router,
        TimeProvider time,
        ILogger<SmtpDeliveryAgent> logger,
        IServerCertificateValidator? certificateValidator = null,
        ITlsRptRecorder? tlsReports = null)
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
        _tlsReports = tlsReports;
        _connector = new SmtpConnector(options, certificateValidator ?? new DefaultServerCertificateValidator(time), time, logger, tlsReports);
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
                decision = await _router.RouteAsync(recipient.Domain, recipient.Direction, cancellationToken, job.Envelope.TlsRequiredNo).ConfigureAwait(false);
                decisions[key] = decision;
                ReportDiscovery(decision);
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

        if (groups.Count > 0)
        {
            // One read of the spooled bytes for every destination: their size, 8-bit content and final line end.
            var message = await SpooledMessage.ReadAsync(job, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<(QueuedRecipient Recipient, RecipientOutcome Outcome)>[] results;
            await using (message.ConfigureAwait(false))
            {
                results = await Task.WhenAll(groups.Values.Select(g => DeliverGroupAsync(job, message, g.Decision, g.Recipients, cancellationToken))).ConfigureAwait(false);
            }

            foreach (var outcome in results.SelectMany(r => r))
            {
                outcomes[outcome.Recipient] = outcome.Outcome;
            }
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

    /// <summary>Counts what TLS policy discovery found wrong for an MX destination (RFC 8460 4.3.2).</summary>
    private void ReportDiscovery(RouteDecision decision)
    {
        if (_tlsReports is null || decision.Tls is not { } tls)
        {
            return;
        }

        if (tls.DiscoveryFailure is { } discovery)
        {
            _tlsReports.RecordFailure(tls.Report, discovery);
        }

        if (tls.DeferReason is not null)
        {
            _tlsReports.RecordFailure(tls.Report, new TlsRptFailure(tls.DeferResultType ?? TlsRptResultTypes.ValidationFailure));
            return;
        }

        foreach (var hop in tls.Hops)
        {
            if (hop.UnavailableReason is not null)
            {
                _tlsReports.RecordFailure(hop.Report, new TlsRptFailure(hop.UnavailableResultType ?? TlsRptResultTypes.ValidationFailure, ReceivingMxHostname: hop.Host));
            }
        }
    }

    /// <summary>
    /// RFC 8689 5: with REQUIRETLS the server must be looked up securely and its certificate verified: DANE (usable
    /// TLSA records, so the MX lookup was secure), an enforced MTA-STS policy, or an administrator's "verify" route.
    /// </summary>
    private static bool IsVerifiedPath(NextHop hop) =>
        hop.Tls.TlsMandatory && hop.Tls.Level is TlsLevel.Dane or TlsLevel.DaneOnly or TlsLevel.MtaSts or TlsLevel.Verify;

    private async Task<IReadOnlyList<(QueuedRecipient Recipient, RecipientOutcome Outcome)>> DeliverGroupAsync(
        DeliveryJob job, SpooledMessage message, RouteDecision decision, List<QueuedRecipient> recipients, CancellationToken ct)
    {
        var requireTls = job.Envelope.RequireTls;
        var hops = requireTls ? decision.Hops.Where(IsVerifiedPath).ToList() : decision.Hops;
        if (hops.Count == 0)
        {
            // Nothing will make this destination verifiable before the message expires: tell the sender now.
            var why = $"550 5.7.10 REQUIRETLS: no verified TLS path to {decision.Destination} (needs DANE, an enforced MTA-STS policy or a verify route)";
            return recipients
                .Select(r => (r, new RecipientOutcome(r.Address, OutcomeKind.PermanentFailure, why, decision.Hops.Count > 0 ? decision.Hops[0].Host : null, null, "5.7.10")))
                .ToList();
        }

        // The final hop into our own mail system need not pass the flag on: delivery ends there (RFC 8689 5 asks it of relays).
        var needsRequireTlsOffer = requireTls && !decision.Destination.StartsWith("route:", StringComparison.Ordinal);
        using var lease = await _limiter.AcquireAsync(decision.Destination, ct).ConfigureAwait(false);
        var lastError = "no next hop";
        var lastEnhanced = "4.4.1";
        var notOffered = 0;
        NextHop? lastHop = null;
        foreach (var hop in hops)
        {
            lastHop = hop;
            var connection = _pool.TryRent(hop);
            var reused = connection is not null;
            if (reused)
            {
                DeliveryLog.Reused(_logger, job.QueueId, hop);
            }

            for (var round = 0; round < 2; round++)
            {
                if (connection is null)
                {
                    var connect = await _connector.ConnectAsync(hop, ct).ConfigureAwait(false);
                    if (connect.Connection is null)
                    {
                        DeliveryLog.ConnectFailed(_logger, job.QueueId, hop, connect.Error);
                        lastError = connect.Error;
                        lastEnhanced = connect.EnhancedCode;
                        break;
                    }

                    connection = connect.Connection;
                }

                if (needsRequireTlsOffer && !connection.Capabilities.RequireTls)
                {
                    // RFC 8689 5: never hand the message to a server that would not keep the promise; try the next.
                    _pool.Return(hop, connection);
                    lastError = $"REQUIRETLS was not offered by {hop.Host}";
                    lastEnhanced = "5.7.30";
                    notOffered++;
                    connection = null;
                    break;
                }

                TransactionResult? result;
                try
                {
                    result = await new MailTransaction(connection, job, recipients, message, _options.ChunkSize, _logger)
                        .RunAsync(reused, ct).ConfigureAwait(false);
                }
                catch
                {
                    // Cancellation or an unreadable spool file: the connection is in an unknown state, drop it.
                    await connection.DisposeAsync().ConfigureAwait(false);
                    throw;
                }

                if (result is not null)
                {
                    if (result.Reusable)
                    {
                        _pool.Return(hop, connection);
                    }
                    else
                    {
                        _ = connection.QuitAsync(TimeSpan.FromSeconds(5));
                    }

                    return result.Outcomes;
                }

                // A pooled connection the server had already closed: try once more on a fresh one.
                await connection.DisposeAsync().ConfigureAwait(false);
                connection = null;
                reused = false;
            }
        }

        if (notOffered == hops.Count)
        {
            // RFC 8689 5 / RFC 5248: every server was reached and none supports REQUIRETLS.
            var refused = $"550 5.7.30 REQUIRETLS support required: {lastError}";
            return recipients
                .Select(r => (r, new RecipientOutcome(r.Address, OutcomeKind.PermanentFailure, refused, lastHop?.Host, null, "5.7.30")))
                .ToList();
        }

        if (lastEnhanced == "5.7.30")
        {
            lastEnhanced = "4.7.30";
        }

        // RFC 5321 4.5.4.1: nobody could be reached this time; the scheduler retries later.
        var diagnostic = $"451 {lastEnhanced} delivery to {decision.Destination} failed temporarily: {lastError}";
        return recipients
            .Select(r => (r, new RecipientOutcome(r.Address, OutcomeKind.TransientFailure, diagnostic, lastHop?.Host, null, lastEnhanced)))
            .ToList();
    }
}
