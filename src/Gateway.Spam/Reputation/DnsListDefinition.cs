namespace Gateway.Spam.Reputation;

/// <summary>
/// One DNS list as a score input: the zone, the points a listing adds (positive: a block list; negative: an allow
/// list) and which answers count. <paramref name="Name"/> is what the verdict's reasons call a hit (X-Spam-Status).
/// </summary>
public sealed record DnsListDefinition(string Name, string Zone, double Weight, DnsListCodes Codes);
