namespace Gateway.Authentication.Reports;

/// <summary>
/// One aggregate report ready to mail (RFC 7489 7.2.1.1): the lead turns it into a message from
/// <see cref="DmarcReportOptions.Email"/> to <see cref="Recipients"/> with <see cref="Subject"/> and the gzip
/// attachment named <see cref="FileName"/> (media type application/gzip).
/// </summary>
public sealed record DmarcAggregateReport
{
    /// <summary>The domain the report is about.</summary>
    public required string PolicyDomain { get; init; }

    /// <summary>report_metadata/report_id.</summary>
    public required string ReportId { get; init; }

    /// <summary>Start of the period (inclusive).</summary>
    public required DateTimeOffset Begin { get; init; }

    /// <summary>End of the period (exclusive; the XML and file name carry end - 1 s, the last second covered).</summary>
    public required DateTimeOffset End { get; init; }

    /// <summary>How many messages the report covers.</summary>
    public required int MessageCount { get; init; }

    /// <summary>Verified mailto: destinations; empty when none could be used (see <see cref="Skipped"/>).</summary>
    public required IReadOnlyList<DmarcReportDestination> Recipients { get; init; }

    /// <summary>Published destinations not used, with the reason.</summary>
    public required IReadOnlyList<DmarcSkippedDestination> Skipped { get; init; }

    /// <summary>"Report Domain: {domain} Submitter: {receiver} Report-ID: &lt;{id}&gt;" (RFC 7489 7.2.1.1).</summary>
    public required string Subject { get; init; }

    /// <summary>"receiver!policy-domain!begin!end.xml.gz" (RFC 7489 7.2.1.1).</summary>
    public required string FileName { get; init; }

    /// <summary>The report XML (UTF-8), for --dry-run.</summary>
    public required string Xml { get; init; }

    /// <summary>The gzip-compressed XML: the attachment.</summary>
    public required byte[] Gzip { get; init; }
}

/// <summary>A verified report destination.</summary>
/// <param name="Address">The mailbox to send to.</param>
/// <param name="MaxSize">The destination's size limit in bytes, when it published one.</param>
public sealed record DmarcReportDestination(string Address, long? MaxSize);

/// <summary>A published destination that was not used.</summary>
public sealed record DmarcSkippedDestination(string Uri, string Reason);
