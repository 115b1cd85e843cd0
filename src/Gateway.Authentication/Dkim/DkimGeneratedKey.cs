namespace Gateway.Authentication.Dkim;

/// <summary>
/// A new DKIM key pair: the private key as PEM ("PRIVATE KEY", PKCS#8) to store, and the TXT record value to
/// publish at <c>selector._domainkey.domain</c>.
/// </summary>
/// <remarks><note type="security"><see cref="PrivateKeyPem"/> is secret: write it with owner-only permissions
/// and never log it.</note></remarks>
public sealed record DkimGeneratedKey(DkimSigningAlgorithm Algorithm, string PrivateKeyPem, string DnsTxtRecord)
{
    /// <summary>
    /// The record value as zone-file character-strings of at most 255 octets each (RFC 1035 3.3.14), quoted and
    /// separated by spaces: a 2048-bit RSA key does not fit in one string.
    /// </summary>
    public string ToZoneFileText() => DkimKeyGenerator.FormatTxtForZone(DnsTxtRecord);
}
