namespace Gateway.Policy;

/// <summary>ARC (authentication.arc:), RFC 8617.</summary>
public sealed record ArcPolicy
{
    public bool Verify { get; init; } = true;

    /// <summary>
    /// Sealer domains (canonical) whose valid ARC chain may override a DMARC fail (RFC 8617 7.2: the receiver
    /// decides which intermediaries it trusts). Empty: no override.
    /// </summary>
    public IReadOnlyList<string> TrustedSealers { get; init; } = [];

    /// <summary>Seal inbound mail after our checks; null: no sealing.</summary>
    public ArcSealPolicy? Seal { get; init; }
}
