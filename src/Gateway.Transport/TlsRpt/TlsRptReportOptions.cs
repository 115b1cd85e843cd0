namespace Gateway.Transport.TlsRpt;

/// <summary>Who we are in the TLS-RPT reports we send (RFC 8460 4.4, 5.1, 5.3).</summary>
public sealed class TlsRptReportOptions
{
    /// <summary>"organization-name": the sending organization.</summary>
    public required string OrganizationName { get; init; }

    /// <summary>"contact-info": an address or URI to ask about the reports; also the From of report mails.</summary>
    public required string ContactInfo { get; init; }

    /// <summary>
    /// Our domain: the "sender" of the file name (RFC 8460 5.1), TLS-Report-Submitter, and the report-id suffix.
    /// </summary>
    public required string SubmitterDomain { get; init; }

    /// <summary>The address report mails come from (RFC 8460 5.3); default "noreply-smtp-tls-reporting@submitter".</summary>
    public string? From { get; init; }

    /// <summary>The host name used for Message-IDs.</summary>
    public string? HostName { get; init; }

    internal string FromAddress => From ?? "noreply-smtp-tls-reporting@" + SubmitterDomain;
}
