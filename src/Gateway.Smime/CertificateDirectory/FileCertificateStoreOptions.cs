namespace Gateway.Smime.CertificateDirectory;

/// <summary>Where the certificate store keeps its files and how many it may hold.</summary>
public sealed record FileCertificateStoreOptions(string Directory)
{
    /// <summary>
    /// Harvest grows with every correctly signed inbound message from a new correspondent; the cap keeps a
    /// flood of throw-away certificates from filling the disk and the in-memory index (about 2 KB per entry).
    /// </summary>
    public int MaxCertificates { get; init; } = 100_000;

    /// <summary>
    /// False: follow the directory by its modification time alone, as where it cannot be watched (for tests of that
    /// way; a watch is never worse).
    /// </summary>
    internal bool Watch { get; init; } = true;

    /// <summary>Reads one file of the directory whole (the file system; tests give failures a root user never meets).</summary>
    internal Func<string, CancellationToken, Task<byte[]>> ReadFile { get; init; } = File.ReadAllBytesAsync;
}
