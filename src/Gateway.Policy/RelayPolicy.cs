namespace Gateway.Policy;

/// <summary>Relay control knobs (relay:); the decision itself is <see cref="TrustDecider"/>.</summary>
public sealed record RelayPolicy
{
    /// <summary>Refuse %, ! and quoted-@ local parts for our domains from untrusted clients.</summary>
    public bool RejectRoutingLocalParts { get; init; } = true;
}
