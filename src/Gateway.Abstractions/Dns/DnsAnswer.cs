namespace Gateway.Abstractions;

/// <summary>
/// The answer to one DNS question: a status, the records (empty unless <see cref="DnsStatus.Ok"/>) and the
/// smallest TTL of the answer (zero when unknown or not applicable). <paramref name="Authenticated"/> is true
/// only when a validating resolver we are configured to trust set the AD bit (RFC 4035 3.2.3, RFC 6840 5.8):
/// the answer, positive or negative, is DNSSEC-secure. DANE (RFC 7672 2.1) relies on it and nothing else does.
/// </summary>
public sealed record DnsAnswer<T>(DnsStatus Status, IReadOnlyList<T> Records, TimeSpan Ttl, bool Authenticated = false);
