namespace Gateway.Smime.Ca;

/// <summary>The internal CA's own key type: RSA-3072 (readable by every S/MIME client) or EC P-256 (smaller, faster).</summary>
public enum CaKeyAlgorithm
{
    Rsa3072,
    EcP256,
}
