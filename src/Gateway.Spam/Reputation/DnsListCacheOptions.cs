namespace Gateway.Spam.Reputation;

/// <summary>
/// Bounds of the list answers kept between sessions. A busy gateway sees the same clients and link domains again and
/// again, so answers are kept for their TTL; but a list's TTL is the operator's, and a listing that is lifted should
/// stop counting within the hour, hence the cap. Entries are small (a name and a few addresses), so a count bounds them.
/// </summary>
/// <param name="MaxEntries">Answers kept at most; 0 turns the cache off.</param>
/// <param name="MaxTtl">The longest an answer is kept, whatever its TTL says.</param>
public sealed record DnsListCacheOptions(int MaxEntries = 20_000, TimeSpan? MaxTtl = null)
{
    public static DnsListCacheOptions Default { get; } = new();

    public TimeSpan TtlCap => MaxTtl ?? TimeSpan.FromHours(1);
}
