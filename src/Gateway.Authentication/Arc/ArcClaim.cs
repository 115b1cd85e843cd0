namespace Gateway.Authentication.Arc;

/// <summary>
/// One method result reported in an ARC-Authentication-Results header ("spf=pass smtp.mailfrom=example.org"):
/// a sealer's claim, to be believed only when the chain passes and the sealer is trusted (RFC 8617 7.2).
/// Properties are keyed "ptype.property" ("smtp.mailfrom", "header.from", "header.d").
/// </summary>
public sealed record ArcClaim(string Method, string Result, IReadOnlyList<KeyValuePair<string, string>> Properties)
{
    /// <summary>The first value of the property ("header.from"), or null.</summary>
    public string? Property(string name)
    {
        foreach (var (key, value) in Properties)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}
