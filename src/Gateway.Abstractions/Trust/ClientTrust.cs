namespace Gateway.Abstractions;

/// <summary>
/// The trust decision for one session, made once from the session's facts (address after any PROXY header,
/// authenticated user) and again only when those change (AUTH, STARTTLS). Relay control, the choice of message
/// steps and the spool's record of the message all read this one value.
/// </summary>
/// <param name="Class">What the client is.</param>
/// <param name="User">The authenticated user name, when the client authenticated (also for a trusted network).</param>
public sealed record ClientTrust(ClientClass Class, string? User)
{
    public static ClientTrust Anonymous { get; } = new(ClientClass.Anonymous, null);

    /// <summary>May send to domains other than ours.</summary>
    public bool MayRelay => Class is ClientClass.TrustedNetwork or ClientClass.AuthenticatedRelay;

    /// <summary>
    /// Its mail is the organisation's own: it is signed on the way out and not judged by sender authentication on
    /// the way in (its SPF would fail for our own domains and its DMARC is ours).
    /// </summary>
    public bool IsInternal => MayRelay;

    /// <summary>An authenticated client outside the trusted networks may use only the sender addresses it owns.</summary>
    public bool MustOwnSenders => User is not null && Class != ClientClass.TrustedNetwork;

    /// <summary>For logs and the spool: "network", "auth-relay", "auth" or "none".</summary>
    public string Name => Class switch
    {
        ClientClass.TrustedNetwork => "network",
        ClientClass.AuthenticatedRelay => "auth-relay",
        ClientClass.Authenticated => "auth",
        _ => "none",
    };
}
