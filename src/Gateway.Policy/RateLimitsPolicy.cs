namespace Gateway.Policy;

/// <summary>
/// Rate limits (rate_limits:): connections, messages and recipients per window, counted per client address, per client
/// network, per authenticated user and per envelope sender. Without the section nothing is limited. Trusted networks and
/// authenticated clients are exempt from the client, network and sender limits unless <see cref="ApplyToTrusted"/>; the
/// user limits are for authenticated users (a stolen password sending spam), so they always apply.
/// </summary>
public sealed record RateLimitsPolicy
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(1);

    /// <summary>Keys tracked at once (buckets of every kind together); beyond it the idle ones go first, then the least recently used.</summary>
    public const int DefaultMaxTracked = 100_000;

    /// <summary>Per client address (IPv4, or IPv6 as given).</summary>
    public RateLimitSet PerClient { get; init; } = new();

    /// <summary>Per client network (<see cref="Ipv4Prefix"/>, <see cref="Ipv6Prefix"/>).</summary>
    public RateLimitSet PerNetwork { get; init; } = new();

    /// <summary>Per authenticated user name (messages and recipients; the user is not known at connect).</summary>
    public RateLimitSet PerUser { get; init; } = new();

    /// <summary>Per envelope sender address (messages and recipients; the null sender is not counted).</summary>
    public RateLimitSet PerSender { get; init; } = new();

    /// <summary>The network a client address belongs to for <see cref="PerNetwork"/>.</summary>
    public int Ipv4Prefix { get; init; } = 24;

    public int Ipv6Prefix { get; init; } = 64;

    /// <summary>False: trusted networks and authenticated clients are not counted by the client, network and sender limits.</summary>
    public bool ApplyToTrusted { get; init; }

    public int MaxTracked { get; init; } = DefaultMaxTracked;

    /// <summary>True when any limit is set.</summary>
    public bool Enabled => PerClient.Any || PerNetwork.Any || PerUser.Any || PerSender.Any;
}

/// <summary>The limits of one kind of key; null: not limited. Each is "at most N in any window", refilled evenly.</summary>
public sealed record RateLimitSet
{
    public int? Connections { get; init; }

    public int? Messages { get; init; }

    public int? Recipients { get; init; }

    public TimeSpan Window { get; init; } = RateLimitsPolicy.DefaultWindow;

    public bool Any => Connections is not null || Messages is not null || Recipients is not null;
}
