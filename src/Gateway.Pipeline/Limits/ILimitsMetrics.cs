namespace Gateway.Pipeline.Limits;

/// <summary>Where the rate limits and the greylist count their decisions (the host's Prometheus counters).</summary>
public interface ILimitsMetrics
{
    /// <summary>One event refused by a limit: scope client/network/user/sender, measure connections/messages/recipients.</summary>
    void RateLimited(string scope, string measure);

    /// <summary>
    /// One greylisting decision at RCPT: deferred (first attempt), too_early, passed, allowed (a network that passed
    /// before), allow_list, spf_pass.
    /// </summary>
    void Greylisting(string decision);
}
