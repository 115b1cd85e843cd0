namespace Gateway.Abstractions;

/// <summary>
/// The answer to one DNS question: a status, the records (empty unless <see cref="DnsStatus.Ok"/>) and the
/// smallest TTL of the answer (zero when unknown or not applicable).
/// </summary>
public sealed record DnsAnswer<T>(DnsStatus Status, IReadOnlyList<T> Records, TimeSpan Ttl);
