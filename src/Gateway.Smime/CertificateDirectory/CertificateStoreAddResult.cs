namespace Gateway.Smime.CertificateDirectory;

public enum CertificateStoreAddResult
{
    Added,

    /// <summary>The same certificate (by SHA-256 fingerprint) is already stored.</summary>
    Duplicate,

    /// <summary>Past its notAfter: nothing could be encrypted to it again.</summary>
    Expired,

    /// <summary>A CA certificate is not a recipient; storing it would only widen what the store is trusted with.</summary>
    CaCertificate,

    /// <summary>It names no rfc822Name, so no address lookup could ever find it.</summary>
    NoAddress,

    /// <summary>The store holds <see cref="FileCertificateStoreOptions.MaxCertificates"/> already.</summary>
    StoreFull,
}
