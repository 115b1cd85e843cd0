namespace Gateway.Authentication.Arc;

/// <summary>
/// One ARC set (RFC 8617 4.1): its instance and the sealer that signed its ARC-Seal (d=, s=), which is what a
/// trusted-sealer list matches. <see cref="MessageSignatureDomain"/> is the d= of its ARC-Message-Signature.
/// </summary>
public sealed record ArcHop(int Instance, string Domain, string Selector)
{
    public string? MessageSignatureDomain { get; init; }

    /// <summary>The cv= this sealer wrote.</summary>
    public string? ChainValidation { get; init; }
}
