namespace Gateway.Queue.Scheduling;

/// <summary>A recipient's change in one attempt round, written to the trace log.</summary>
/// <param name="Event">delivered, deferred, failed or expired.</param>
/// <param name="Address">The recipient.</param>
/// <param name="RemoteMta">The host the attempt talked to, if any.</param>
/// <param name="Reply">The reply or local reason.</param>
/// <param name="LocalReply">True when <paramref name="Reply"/> is the gateway's own reason, not <paramref name="RemoteMta"/>'s.</param>
internal sealed record RecipientChange(string Event, string Address, string? RemoteMta, string? Reply, bool LocalReply);
