namespace Gateway.Queue.Notices;

/// <summary>
/// One per-recipient block of a delivery status notification (RFC 3464 2.3).
/// </summary>
/// <param name="Recipient">The recipient as spooled (address, NOTIFY, ORCPT).</param>
/// <param name="Action">The Action field.</param>
/// <param name="Status">The RFC 3463 status code, "x.y.z".</param>
/// <param name="Diagnostic">The remote reply ("550 5.1.1 ...") or a local reason; null when there is none.</param>
/// <param name="RemoteMta">The host that gave the reply, if any.</param>
/// <param name="LastAttempt">When the last attempt for this recipient ended, if any.</param>
/// <param name="LocalDiagnostic">True when <paramref name="Diagnostic"/> is our own reason, not a reply of
/// <paramref name="RemoteMta"/>: the notice then neither says the host said it nor names it as Remote-MTA.</param>
public sealed record NoticeRecipient(
    QueuedRecipient Recipient,
    DsnAction Action,
    string Status,
    string? Diagnostic,
    string? RemoteMta,
    DateTimeOffset? LastAttempt,
    bool LocalDiagnostic = false);
