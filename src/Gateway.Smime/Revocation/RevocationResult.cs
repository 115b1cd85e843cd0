namespace Gateway.Smime.Revocation;

/// <summary>The chain's revocation verdict; <see cref="Detail"/> names the certificate and why, for logs and headers.</summary>
public sealed record RevocationResult(RevocationStatus Status, string? Detail = null);
