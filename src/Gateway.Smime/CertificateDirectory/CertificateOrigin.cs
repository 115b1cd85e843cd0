namespace Gateway.Smime.CertificateDirectory;

/// <summary>How a certificate came into the store; kept in its file name so an administrator can tell them apart.</summary>
public enum CertificateOrigin
{
    /// <summary>From the signature of validated inbound mail.</summary>
    Harvest,

    /// <summary>Given by an administrator.</summary>
    Import,
}
