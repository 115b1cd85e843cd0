namespace Gateway.Authentication.Reports;

/// <summary>How aggregate reports are made and sent (policy keys under authentication.dmarc.reports).</summary>
public sealed class DmarcReportingOptions
{
    /// <summary>Who we are in the reports; its <see cref="DmarcReportOptions.Email"/> is also the From of report mails.</summary>
    public required DmarcReportOptions Report { get; init; }

    /// <summary>The reporting period (RFC 7489 7.2: ri= is a request; the receiver decides).</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>Our host name: the Message-ID domain and the text of report mails.</summary>
    public required string HostName { get; init; }

    /// <summary>Where the sending state lives (the last period sent, the reports of a period already queued).</summary>
    public required string Directory { get; init; }
}
