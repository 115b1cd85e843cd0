namespace Gateway.Policy;

/// <summary>Server-side timeouts (limits.timeouts:), RFC 5321 4.5.3.2.</summary>
public sealed record TimeoutsPolicy
{
    /// <summary>Waiting for the first command after the banner.</summary>
    public TimeSpan Greeting { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>RFC 5321 4.5.3.2.7: server timeout, at least 5 minutes.</summary>
    public TimeSpan Command { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>RFC 5321 4.5.3.2.5: between data blocks, 3 minutes.</summary>
    public TimeSpan DataBlock { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>RFC 5321 4.5.3.2.6: after the final dot until our reply, 10 minutes.</summary>
    public TimeSpan DataTermination { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan TlsHandshake { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whole-session deadline.</summary>
    public TimeSpan Session { get; init; } = TimeSpan.FromMinutes(30);
}
