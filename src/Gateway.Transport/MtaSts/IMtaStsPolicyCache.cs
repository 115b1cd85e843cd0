namespace Gateway.Transport.MtaSts;

/// <summary>
/// Where cached policies live between lookups and across restarts: a directory on one node
/// (<see cref="MtaStsPolicyStore"/>), shared storage when nodes scale out (DESIGN "Scale-out").
/// </summary>
public interface IMtaStsPolicyCache
{
    /// <summary>The cached policy of a canonical domain, expired or not; null when there is none.</summary>
    MtaStsCachedPolicy? Get(string domain);

    /// <summary>A snapshot of every cached policy, for proactive refresh.</summary>
    IReadOnlyList<MtaStsCachedPolicy> Entries { get; }

    /// <summary>Replaces the domain's cached policy, durably.</summary>
    ValueTask SaveAsync(MtaStsCachedPolicy entry, CancellationToken ct);

    ValueTask RemoveAsync(string domain, CancellationToken ct);
}
