namespace Gateway.Testing.Peers;

/// <summary>
/// A zone a test <see cref="UnboundResolver"/> resolves from the local knot: validated against its trust anchor,
/// or (no anchor) declared insecure so the resolver answers it unvalidated.
/// </summary>
public sealed record UnboundStub(string Zone, string? TrustAnchor)
{
    /// <summary>A signed zone validated against <paramref name="trustAnchor"/> (a DS or DNSKEY in presentation form).</summary>
    public static UnboundStub Validated(string zone, string trustAnchor) => new(zone, trustAnchor);

    /// <summary>An unsigned zone, answered without validation (unbound's domain-insecure:).</summary>
    public static UnboundStub Insecure(string zone) => new(zone, null);
}
