using System.Net;

namespace Gateway.Abstractions;

/// <summary>How the client greeted.</summary>
public enum GreetingKind
{
    None,
    Helo,
    Ehlo,
}

/// <summary>
/// What is known about one SMTP connection at a moment in time. Immutable: the session hands a fresh
/// snapshot to each stage check, so a check never sees facts change under it.
/// </summary>
public sealed record SessionFacts
{
    /// <summary>Unique id used to tie every log line of a connection together.</summary>
    public required string SessionId { get; init; }

    /// <summary>The listener's configured name (e.g. "inbound", "submission").</summary>
    public required string ListenerName { get; init; }

    /// <summary>The real client: after a trusted PROXY protocol header, the address it carried.</summary>
    public required IPEndPoint RemoteEndPoint { get; init; }

    public required IPEndPoint LocalEndPoint { get; init; }

    /// <summary>True when RemoteEndPoint came from a PROXY protocol header of a trusted load balancer.</summary>
    public bool ViaProxyProtocol { get; init; }

    public required DateTimeOffset ConnectedAt { get; init; }

    public GreetingKind Greeting { get; init; }

    /// <summary>The HELO/EHLO argument as given (domain or address literal).</summary>
    public string? HeloName { get; init; }

    /// <summary>
    /// The client sent a further command before our reply to its EHLO/HELO, or pipelined commands after HELO,
    /// where PIPELINING is never offered (RFC 2920 3.1: only after an EHLO reply that offers it). Real MTAs wait;
    /// spambots that fire the whole dialogue at once do not (Postfix postscreen's pipelining test). A score input only.
    /// </summary>
    public bool PipelinedWithoutOffer { get; init; }

    /// <summary>Null until STARTTLS (or implicit TLS) completed.</summary>
    public TlsFacts? Tls { get; init; }

    /// <summary>The authenticated user name after a successful AUTH, else null.</summary>
    public string? AuthenticatedUser { get; init; }

    public bool IsAuthenticated => AuthenticatedUser is not null;

    public IPAddress ClientAddress => RemoteEndPoint.Address;
}
