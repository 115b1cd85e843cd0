namespace Gateway.Policy;

/// <summary>A DKIM signing algorithm named in policy. rsa-sha1 is not offered (RFC 8301 3.1).</summary>
public enum DkimAlgorithm
{
    /// <summary>rsa-sha256 (RFC 6376 3.3.1).</summary>
    RsaSha256,

    /// <summary>ed25519-sha256 (RFC 8463 3).</summary>
    Ed25519Sha256,
}
