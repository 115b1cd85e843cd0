namespace Gateway.Queue.Scheduling;

/// <summary>
/// What happened to one recipient of a <see cref="DeliveryJob"/>.
/// </summary>
/// <param name="Address">The recipient address exactly as given in the job.</param>
/// <param name="Kind">Delivered, transient or permanent failure.</param>
/// <param name="Diagnostic">The remote reply ("550 5.1.1 No such user") or a local reason ("no route to example.test").</param>
/// <param name="RemoteMta">The next hop (host name or IP) that gave the reply, if any.</param>
/// <param name="RemoteCode">The remote SMTP reply code, when the diagnostic is a remote reply.</param>
/// <param name="RemoteEnhancedCode">The RFC 3463 enhanced status code ("5.1.1"), when known.</param>
/// <param name="DsnPassedOn">True when the next hop announced DSN and received the NOTIFY/ORCPT parameters: it is then
/// responsible for success notices (RFC 3461 4.1), so the gateway sends none of its own.</param>
public sealed record RecipientOutcome(
    string Address,
    OutcomeKind Kind,
    string Diagnostic,
    string? RemoteMta,
    int? RemoteCode,
    string? RemoteEnhancedCode,
    bool DsnPassedOn = false);
