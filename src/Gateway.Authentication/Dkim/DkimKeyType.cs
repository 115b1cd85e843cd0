namespace Gateway.Authentication.Dkim;

/// <summary>The k= value of a DKIM key record (RFC 6376 3.6.1, RFC 8463 4.2).</summary>
public enum DkimKeyType
{
    Rsa,
    Ed25519,
}
