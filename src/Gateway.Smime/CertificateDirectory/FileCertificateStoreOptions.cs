namespace Gateway.Smime.CertificateDirectory;

/// <summary>Where the certificate store keeps its files and how many it may hold.</summary>
public sealed record FileCertificateStoreOptions(string Directory)
{
    /// <summary>
    /// Harvest grows with every correctly signed inbound message from a new correspondent; the cap keeps a
    /// flood of throw-away certificates from filling the disk and the in-memory index (about 2 KB per entry).
    /// </summary>
    public int MaxCertificates { get; init; } = 100_000;
}
