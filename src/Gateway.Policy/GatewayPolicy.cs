using System.Net;

namespace Gateway.Policy;

/// <summary>
/// The validated, immutable policy the gateway runs with. Produced only by <see cref="PolicyLoader"/> in
/// production; tests may build one directly. Every path is absolute.
/// </summary>
public sealed record GatewayPolicy
{
    /// <summary>Our host name (FQDN, lower-case A-labels): greeting, EHLO reply, Received.</summary>
    public required string HostName { get; init; }

    /// <summary>Our domains, canonical (lower-case A-labels, no trailing dot). Recipients there are inbound.</summary>
    public IReadOnlyList<string> Domains { get; init; } = [];

    /// <summary>Clients in these networks may relay outbound.</summary>
    public IReadOnlyList<IPNetwork> TrustedNetworks { get; init; } = [];

    /// <summary>Absolute path of the spool and state directory (may not exist yet; the host creates it).</summary>
    public required string StateDirectory { get; init; }

    public IReadOnlyList<ListenerPolicy> Listeners { get; init; } = [];

    public TlsPolicy Tls { get; init; } = new();

    public AuthPolicy Auth { get; init; } = new();

    public RelayPolicy Relay { get; init; } = new();

    public SmtpPolicy Smtp { get; init; } = new();

    public LimitsPolicy Limits { get; init; } = new();

    public QuarantinePolicy Quarantine { get; init; } = new();

    public AdminPolicy Admin { get; init; } = new();

    public LoggingPolicy Logging { get; init; } = new();

    public DeliveryPolicy Delivery { get; init; } = new();

    public DnsPolicy Dns { get; init; } = new();

    /// <summary>SPF, DKIM, ARC and DMARC (authentication:); all verification is on by default.</summary>
    public AuthenticationPolicy Authentication { get; init; } = new();

    /// <summary>Our own MTA-STS policy and TLS-RPT address (mta_sts:), published for every one of our domains.</summary>
    public MtaStsPublishPolicy MtaSts { get; init; } = new();

    /// <summary>S/MIME with the organisation's escrowed keys (smime:); nothing runs without the section.</summary>
    public SmimePolicy Smime { get; init; } = new();

    /// <summary>Content spam scoring of inbound mail (spam:); nothing is scored without the section.</summary>
    public SpamPolicy Spam { get; init; } = new();

    /// <summary>Recipient verification for our domains (recipients:).</summary>
    public RecipientsPolicy Recipients { get; init; } = new();

    /// <summary>Connections, messages and recipients per window, per client, network, user and sender (rate_limits:).</summary>
    public RateLimitsPolicy RateLimits { get; init; } = new();

    /// <summary>Triplet greylisting of anonymous clients at RCPT (greylisting:); off without the section.</summary>
    public GreylistingPolicy Greylisting { get; init; } = new();

    /// <summary>
    /// Every file the policy was read from, absolute: the main file, its includes, the credentials file and the
    /// recipient lists.
    /// <see cref="PolicyWatcher"/> watches exactly these.
    /// </summary>
    public IReadOnlyList<string> SourceFiles { get; init; } = [];
}
