namespace Gateway.Policy;

/// <summary>Protocol and resource limits (limits:). Defaults are the RFC 5321 4.5.3.1 minimums where one exists.</summary>
public sealed record LimitsPolicy
{
    /// <summary>Octets per command line including CRLF; RFC 5321 4.5.3.1.4 minimum 512.</summary>
    public int CommandLineLength { get; init; } = 512;

    /// <summary>Octets per text line including CRLF; RFC 5321 4.5.3.1.6 minimum 1000.</summary>
    public int TextLineLength { get; init; } = 1000;

    /// <summary>Octets per reverse/forward path; RFC 5321 4.5.3.1.3 minimum 256.</summary>
    public int PathLength { get; init; } = 256;

    /// <summary>Recipients per transaction (RFC 5321 4.5.3.1.8), then 452 4.5.3.</summary>
    public int Recipients { get; init; } = 100;

    /// <summary>Octets per message, advertised in EHLO SIZE (RFC 1870).</summary>
    public long MessageSize { get; init; } = 35L * 1024 * 1024;

    public int Connections { get; init; } = 1000;

    public int ConnectionsPerIp { get; init; } = 50;

    /// <summary>
    /// Octets of a message's header section the pipeline keeps and judges; a longer one is refused (552 5.3.4), never
    /// judged by a part of it. RFC 5322 sets no limit; 1 MiB is far above any real header section.
    /// </summary>
    public int HeaderSection { get; init; } = 1024 * 1024;

    /// <summary>
    /// Slowest a client may send a message body or a command line once started, in octets per second averaged since
    /// the start, after <see cref="MinDataRateGrace"/>; slower ends the session with 421 4.4.2. 0 turns it off.
    /// 240 is Kestrel's default for request bodies: far below any real sender, far above a slowloris.
    /// </summary>
    public int MinDataRate { get; init; } = 240;

    /// <summary>How long a transfer may run before <see cref="MinDataRate"/> applies (network stalls at the start).</summary>
    public TimeSpan MinDataRateGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Protocol errors per session before 421 and close.</summary>
    public int Errors { get; init; } = 10;

    public TimeoutsPolicy Timeouts { get; init; } = new();
}
