namespace Gateway.Policy;

/// <summary>One outbound DKIM signing key (an item of authentication.dkim.sign).</summary>
/// <param name="Domain">The d= domain: one of our domains, canonical.</param>
/// <param name="Selector">The s= selector: lower-case DNS labels (RFC 6376 3.1).</param>
/// <param name="KeyFile">Absolute path of the PEM private key; it existed when the policy was loaded.</param>
/// <param name="Algorithm">The algorithm from policy, or null to infer it from the key (RSA or Ed25519).</param>
/// <param name="Source">Position of the key node, for reporting a key that does not load.</param>
public sealed record DkimSigningKeyPolicy(string Domain, string Selector, string KeyFile, DkimAlgorithm? Algorithm, PolicyPosition Source);
