namespace Gateway.Authentication.Dkim;

/// <summary>The algorithms the gateway signs with. rsa-sha1 is deliberately absent (RFC 8301 3.1).</summary>
public enum DkimSigningAlgorithm
{
    /// <summary>a=rsa-sha256 (RFC 6376 3.3.1).</summary>
    RsaSha256,

    /// <summary>a=ed25519-sha256 (RFC 8463 3).</summary>
    Ed25519Sha256,
}
