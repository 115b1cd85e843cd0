namespace Gateway.Authentication.Arc;

/// <summary>The newest ARC-Authentication-Results of a passing chain: who reported (authserv-id) and what.</summary>
public sealed record ArcAuthenticationClaims(int Instance, string AuthServId, IReadOnlyList<ArcClaim> Results);
