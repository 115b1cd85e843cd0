namespace Gateway.Policy;

/// <summary>The key we seal inbound mail with (authentication.arc.seal); the host infers the algorithm from the key.</summary>
/// <param name="Domain">The d= domain: one of our domains, canonical.</param>
/// <param name="Selector">The s= selector: lower-case DNS labels.</param>
/// <param name="KeyFile">Absolute path of the PEM private key; it existed when the policy was loaded.</param>
/// <param name="Source">Position of the key node, for reporting a key that does not load.</param>
public sealed record ArcSealPolicy(string Domain, string Selector, string KeyFile, PolicyPosition Source);
