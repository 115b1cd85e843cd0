namespace Gateway.Queue;

/// <summary>
/// The mutable delivery state of one spooled message (state/&lt;id&gt;.json). The message file itself never
/// changes; only this record is replaced, atomically, as attempts happen.
/// </summary>
public sealed record MessageState(
    string Id,
    IReadOnlyList<RecipientState> Recipients,
    DateTimeOffset NextAttemptAt,
    bool DelayNoticeSent,
    int Attempts,
    DateTimeOffset? LifetimeStart = null)
{
    /// <summary>
    /// Where the retry schedule's clock starts (delay notice, expiry): the release from the quarantine for a message
    /// that was held there, so days in the quarantine do not count as days of failed delivery; else the reception.
    /// </summary>
    public DateTimeOffset QueuedSince(QueuedEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return LifetimeStart ?? envelope.ReceivedAt;
    }

    /// <summary>The state of a message no attempt has touched yet: every recipient pending, due at once.</summary>
    public static MessageState Initial(QueuedEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var recipients = new RecipientState[envelope.Recipients.Count];
        for (var i = 0; i < recipients.Length; i++)
        {
            recipients[i] = new RecipientState(envelope.Recipients[i].Address, RecipientStatus.Pending, 0, null, null, null);
        }

        return new MessageState(envelope.QueueId, recipients, envelope.ReceivedAt, false, 0);
    }
}
