namespace Gateway.Authentication.Arc;

/// <summary>
/// The validation of a message's ARC chain (RFC 8617 5.2).
/// </summary>
/// <param name="Result">cv: none, pass or fail.</param>
/// <param name="Instances">The highest instance found (0 for none).</param>
/// <param name="Reason">Why the chain failed, for the log and the A-R comment; null on pass/none.</param>
/// <param name="Hops">The sets, oldest (i=1) first.</param>
public sealed record ArcChainResult(ArcResult Result, int Instances, string? Reason, IReadOnlyList<ArcHop> Hops)
{
    /// <summary>
    /// Set when the failure came from DNS (SERVFAIL, timeout) rather than from the message: a later attempt may pass.
    /// </summary>
    public bool IsTemporary { get; init; }

    /// <summary>The claims of the newest ARC-Authentication-Results; only when <see cref="Result"/> is pass.</summary>
    public ArcAuthenticationClaims? LatestClaims { get; init; }

    /// <summary>The newest hop (the last sealer before us), or null.</summary>
    public ArcHop? LatestHop => Hops.Count == 0 ? null : Hops[^1];

    public static ArcChainResult NoChain { get; } = new(ArcResult.None, 0, null, []);
}
