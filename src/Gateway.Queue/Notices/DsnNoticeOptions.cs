namespace Gateway.Queue.Notices;

public sealed class DsnNoticeOptions
{
    /// <summary>Our host name: Reporting-MTA, the From address domain (MAILER-DAEMON@host) and Message-ID.</summary>
    public required string HostName { get; init; }

    /// <summary>
    /// Tells whether a domain is one of ours, so the notice is routed inbound (to our own users) or outbound.
    /// When null, a notice goes inbound if the original was relayed outbound for an internal client, else outbound.
    /// </summary>
    public Func<string, bool>? IsLocalDomain { get; init; }

    /// <summary>
    /// RET=FULL returns the whole message only up to this size; a bigger one is returned as headers only
    /// (Postfix's bounce_size_limit does the same so bounces do not amplify large payloads).
    /// </summary>
    public int MaxReturnedMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>The header section copied into text/rfc822-headers is cut at this size.</summary>
    public int MaxReturnedHeaderBytes { get; init; } = 64 * 1024;
}
