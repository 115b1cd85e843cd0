using Org.BouncyCastle.Asn1.Cms;

namespace Gateway.Smime.Cms;

/// <summary>
/// Where the S/MIME operations get private keys. The CMS code never holds keys of its own: every use is a
/// lease taken here and disposed right after the operation, so the vault can count, audit and refuse uses.
/// </summary>
/// <remarks>
/// <note type="security">Implementations answer <c>null</c> both when no key exists and when the vault is
/// sealed; callers treat both as "cannot sign/decrypt now" and never fall back to sending unsigned or to
/// guessing keys. A lease must not outlive the operation it was taken for.</note>
/// </remarks>
public interface ISmimeKeySource
{
    /// <summary>The signing key and chain for a sender address: the user's own key, else the domain key.</summary>
    ValueTask<SigningKeyLease?> FindSigningKeyAsync(string senderAddress, CancellationToken cancellationToken);

    /// <summary>The private key for a CMS recipient identifier (issuer and serial, or subject key id).</summary>
    ValueTask<RecipientKeyLease?> FindRecipientKeyAsync(RecipientIdentity recipient, CancellationToken cancellationToken);
}

/// <summary>
/// How a CMS RecipientInfo names its recipient (RFC 5652 6.2): by issuer and serial number, or by subject key
/// identifier; exactly one of the two is set.
/// </summary>
public sealed record RecipientIdentity(IssuerAndSerialNumber? IssuerAndSerial, byte[]? SubjectKeyIdentifier)
{
    public override string ToString() => IssuerAndSerial is { } ias
        ? $"issuer \"{ias.Issuer}\" serial {ias.SerialNumber.Value.ToString(16)}"
        : $"subject key id {Convert.ToHexString(SubjectKeyIdentifier ?? [])}";
}
