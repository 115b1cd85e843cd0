using System.Globalization;
using Gateway.Abstractions;
using Gateway.Pipeline.Lists;
using Gateway.Pipeline.Steps.Smime;
using Gateway.Policy;
using Gateway.Queue;
using Gateway.Queue.Notices;
using Gateway.Queue.Scheduling;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Spool;

/// <summary>
/// Delivery in front of the real agent: a recipient that is an encrypted list (smime.lists) is never handed to the
/// internal server. Its copy is expanded (<see cref="EncryptedListExpander"/>) into one new queued message, encrypted
/// for every member with a certificate and sent from the original sender, and the list recipient is done with a
/// reply naming the new queue id. Every other recipient goes to the inner agent unchanged. While the vault is sealed
/// (or the host has no S/MIME services yet) the list recipient is deferred with 4.7.0 and retried: nothing is ever
/// sent in plaintext. The new message carries origin <see cref="QueuedEnvelope.ListOrigin"/> and no list among its
/// recipients, so an expansion never expands again.
/// </summary>
/// <remarks>
/// Members without a certificate: the scheduler turns one outcome per job recipient into notices, and the members
/// are not recipients of this job, so their failures cannot travel as outcomes. Instead the scheduler's own notice
/// factory builds an ordinary failure DSN about the original message, one block per such member (Original-Recipient
/// the list), and it is spooled here next to the expansion. That notice returns headers only: the list's copy in the
/// spool may be decrypted, and a returned body would leave the gateway in plaintext.
/// Both are spooled before the outcome is returned; a crash in between means the list is attempted again, so members
/// may get a message twice, never none (DESIGN invariant 2: at least once).
/// </remarks>
internal sealed class EncryptedListDeliveryAgent(
    IDeliveryAgent inner,
    Func<GatewayPolicy> policy,
    Func<SmimeServices?> smime,
    IQueueStore store,
    Func<INoticeFactory> notices,
    TimeProvider time,
    ILogger<EncryptedListDeliveryAgent> logger) : IDeliveryAgent
{
    private const string WaitingForVault = "451 4.7.0 waiting for the key vault to be unsealed";

    public async ValueTask<IReadOnlyList<RecipientOutcome>> DeliverAsync(DeliveryJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var current = policy();

        // A list's own expansion is never expanded again, whatever the policy says by now.
        var lists = string.Equals(job.Envelope.Origin, QueuedEnvelope.ListOrigin, StringComparison.Ordinal)
            ? []
            : job.Recipients.Where(r => current.Smime.ListFor(r.Address) is not null).ToList();
        if (lists.Count == 0)
        {
            return await inner.DeliverAsync(job, cancellationToken).ConfigureAwait(false);
        }

        var outcomes = new Dictionary<QueuedRecipient, RecipientOutcome>();
        var services = smime();
        var expander = services is null ? null : new EncryptedListExpander(current, services);
        foreach (var recipient in lists)
        {
            outcomes[recipient] = expander is null
                ? Outcome(recipient, OutcomeKind.TransientFailure, WaitingForVault, 451, "4.7.0")
                : await ExpandAsync(job, recipient, current.Smime.ListFor(recipient.Address)!, expander, cancellationToken).ConfigureAwait(false);
        }

        var others = job.Recipients.Where(r => !outcomes.ContainsKey(r)).ToList();
        if (others.Count > 0)
        {
            foreach (var outcome in await inner.DeliverAsync(job with { Recipients = others }, cancellationToken).ConfigureAwait(false))
            {
                var recipient = others.FirstOrDefault(r => r.Address == outcome.Address && !outcomes.ContainsKey(r));
                if (recipient is not null)
                {
                    outcomes[recipient] = outcome;
                }
            }
        }

        // One outcome per recipient, in the job's order; one the inner agent left out is missing here too (the
        // scheduler defers it, as it would have without us).
        return job.Recipients.Where(outcomes.ContainsKey).Select(r => outcomes[r]).ToList();
    }

    private async Task<RecipientOutcome> ExpandAsync(
        DeliveryJob job, QueuedRecipient recipient, SmimeListPolicy list, EncryptedListExpander expander, CancellationToken cancellationToken)
    {
        ListExpansion expansion;
        var content = await job.OpenMessage(cancellationToken).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            expansion = await expander.ExpandAsync(list, content, cancellationToken).ConfigureAwait(false);
        }

        switch (expansion.Status)
        {
            case ListExpansionStatus.VaultSealed:
                EncryptedListLog.NotExpanded(logger, recipient.Address, job.QueueId, expansion.Detail ?? "vault sealed");
                return Outcome(recipient, OutcomeKind.TransientFailure, WaitingForVault, 451, "4.7.0");
            case ListExpansionStatus.Undecryptable:
                // RFC 3463 5.7.5: cryptographic failure. The scheduler's failure notice tells the sender.
                EncryptedListLog.NotExpanded(logger, recipient.Address, job.QueueId, expansion.Detail ?? "undecryptable");
                return Outcome(recipient, OutcomeKind.PermanentFailure, "554 5.7.5 " + expansion.Detail, 554, "5.7.5");
            case ListExpansionStatus.NoMemberReachable:
                // Nothing is sent to anyone: one failure for the list, naming the members, is the whole story.
                var names = string.Join(", ", expansion.Refused.Select(r => r.Member.ToString()));
                EncryptedListLog.NotExpanded(logger, recipient.Address, job.QueueId, expansion.Detail ?? "no member reachable");
                return Outcome(recipient, OutcomeKind.PermanentFailure, $"550 5.7.1 {expansion.Detail} ({names})", 550, "5.7.1");
        }

        var now = time.GetUtcNow();
        var envelope = job.Envelope with
        {
            QueueId = string.Empty,
            ReceivedAt = now,
            Origin = QueuedEnvelope.ListOrigin,
            Size = expansion.Content.Length,

            // The encrypted body is base64; only header fields (SMTPUTF8) can hold 8-bit text.
            Body = BodyType.SevenBit,
            Recipients = expansion.Recipients.Select(m => Member(m.Address.ToString(), m.Direction, recipient)).ToList(),
        };
        var newId = await store.EnqueueAsync(envelope, expansion.Content, cancellationToken).ConfigureAwait(false);
        EncryptedListLog.Expanded(logger, recipient.Address, job.QueueId, expansion.Recipients.Count, newId, expansion.Refused.Count);

        if (expansion.Refused.Count > 0)
        {
            await NotifyRefusedAsync(job, recipient, expansion.Refused, now, cancellationToken).ConfigureAwait(false);
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"250 2.1.5 expanded to {expansion.Recipients.Count} members as queue id {newId}");
        return Outcome(recipient, OutcomeKind.Delivered, text, 250, "2.1.5");
    }

    private async Task NotifyRefusedAsync(
        DeliveryJob job, QueuedRecipient list, IReadOnlyList<ListMemberRefusal> refused, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var blocks = refused
            .Select(r => new NoticeRecipient(Member(r.Member.ToString(), r.Direction, list), DsnAction.Failed, r.Status, r.Diagnostic, null, now))
            .ToList();

        // Headers only (see the remarks): the list's copy may be decrypted in the spool.
        var request = new NoticeRequest(job.Envelope with { Return = DsnReturn.Headers }, NoticeKind.Failure, blocks, null, job.OpenMessage);
        var notice = await notices().CreateAsync(request, cancellationToken).ConfigureAwait(false);
        if (notice is null)
        {
            // A null sender, a notice about a notice or NOTIFY without FAILURE: no one to tell (RFC 3461 6.2).
            return;
        }

        var noticeId = await store.EnqueueAsync(notice.Envelope, notice.Content, cancellationToken).ConfigureAwait(false);
        EncryptedListLog.NoticeQueued(logger, list.Address, job.QueueId, noticeId);
    }

    /// <summary>A member as a recipient: the list recipient's NOTIFY, and the list as the original recipient (RFC 3461 4.2).</summary>
    private static QueuedRecipient Member(string address, MailDirection direction, QueuedRecipient list) =>
        new(address, direction, list.Notify, list.OriginalRecipientType ?? "rfc822", list.OriginalRecipient ?? list.Address);

    private static RecipientOutcome Outcome(QueuedRecipient recipient, OutcomeKind kind, string diagnostic, int code, string enhanced) =>
        new(recipient.Address, kind, diagnostic, null, code, enhanced);
}
