namespace Gateway.Transport.MtaSts;

/// <summary>A parsed policy, or the precise reason the policy text is invalid (RFC 8461 3.2).</summary>
public sealed record MtaStsPolicyParseResult(MtaStsPolicy? Policy, string? Error)
{
    public bool IsValid => Policy is not null;

    public static MtaStsPolicyParseResult Valid(MtaStsPolicy policy) => new(policy, null);

    public static MtaStsPolicyParseResult Invalid(string error) => new(null, error);
}
