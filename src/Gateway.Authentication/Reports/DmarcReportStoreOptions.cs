namespace Gateway.Authentication.Reports;

/// <summary>Where and how much the DMARC report store keeps.</summary>
public sealed class DmarcReportStoreOptions
{
    /// <summary>The directory holding one file per UTC day (created if missing).</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// Records kept per UTC day; further evaluations that day are not recorded, so a flood of mail cannot fill
    /// the disk (a record is about 500 bytes: the default bounds a day's file near 250 MB).
    /// </summary>
    public int MaxRecordsPerDay { get; init; } = 500_000;
}
