using Org.BouncyCastle.X509;

namespace Gateway.Smime.Cms;

/// <summary>A recipient to encrypt for: their certificate and what they are known to decrypt.</summary>
public sealed record SmimeRecipient(X509Certificate Certificate, RecipientCapabilities Capabilities)
{
    public SmimeRecipient(X509Certificate certificate)
        : this(certificate, RecipientCapabilities.None)
    {
    }
}
