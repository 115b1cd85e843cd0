namespace Gateway.Authentication.Arc;

/// <summary>
/// What <see cref="ArcSealingService"/> did: the ARC set to prepend (ARC-Seal, ARC-Message-Signature,
/// ARC-Authentication-Results, each ending in CRLF), or null with the reason it added none.
/// </summary>
/// <param name="Headers">Header text to put in front of the sealed bytes; null when not sealed.</param>
/// <param name="Instance">The instance written (N+1), or the existing highest when not sealed.</param>
/// <param name="ChainValidation">The cv= written.</param>
/// <param name="Reason">Why no set was added.</param>
public sealed record ArcSealResult(string? Headers, int Instance, ArcResult ChainValidation, string? Reason)
{
    public bool Sealed => Headers is not null;
}
