namespace Gateway.Policy;

/// <summary>
/// Retry schedule of deferred messages (delivery.retry:): the first retry after <see cref="First"/>, each
/// later wait <see cref="Factor"/> times the previous one, never more than <see cref="Max"/>.
/// </summary>
public sealed record RetryPolicy
{
    public TimeSpan First { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Cap of the wait between attempts; at least <see cref="First"/>.</summary>
    public TimeSpan Max { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Growth of the wait per attempt, 1 (constant) to 10.</summary>
    public int Factor { get; init; } = 2;
}
