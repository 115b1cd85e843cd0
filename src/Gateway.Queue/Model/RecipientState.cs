namespace Gateway.Queue;

/// <summary>The delivery state of one recipient, persisted in the message's state file.</summary>
/// <param name="Address">The recipient as in <see cref="QueuedRecipient.Address"/>.</param>
/// <param name="Status">Pending until delivered, failed or expired.</param>
/// <param name="Attempts">Delivery attempts made for this recipient.</param>
/// <param name="LastReply">The last reply or local reason, e.g. "450 4.2.0 mailbox busy".</param>
/// <param name="RemoteMta">The host the last attempt talked to, if any.</param>
/// <param name="UpdatedAt">When this entry last changed.</param>
/// <param name="LocalReply">True when <paramref name="LastReply"/> is the gateway's own reason (a refused connection, a
/// TLS policy not met) rather than what <paramref name="RemoteMta"/> answered, so a delay notice does not put it in
/// that host's mouth. Absent (false) in state files written before it existed.</param>
public sealed record RecipientState(
    string Address,
    RecipientStatus Status,
    int Attempts,
    string? LastReply,
    string? RemoteMta,
    DateTimeOffset? UpdatedAt,
    bool LocalReply = false);
