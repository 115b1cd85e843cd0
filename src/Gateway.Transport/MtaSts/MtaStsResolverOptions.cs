namespace Gateway.Transport.MtaSts;

/// <summary>How the resolver keeps cached policies fresh.</summary>
public sealed class MtaStsResolverOptions
{
    /// <summary>
    /// <see cref="MtaStsPolicyResolver.RefreshAsync"/> refetches a cached policy once less than this fraction of
    /// its max_age remains (RFC 8461 10.2: refresh proactively, so a policy does not lapse when the sender
    /// happens to have no mail for the domain, and an attacker blocking discovery then finds it in force).
    /// With the host refreshing daily, a fraction of one third renews a one-week policy from day five on.
    /// </summary>
    public double RefreshWhenRemaining { get; init; } = 1.0 / 3;
}
