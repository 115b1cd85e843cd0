namespace Gateway.Authentication.Reports;

/// <summary>Who we are in the aggregate reports we send (RFC 7489 7.2.1.1 and Appendix C report_metadata).</summary>
public sealed class DmarcReportOptions
{
    /// <summary>report_metadata/org_name: the reporting organization.</summary>
    public required string OrgName { get; init; }

    /// <summary>report_metadata/email: the contact address, also the From of report mails.</summary>
    public required string Email { get; init; }

    /// <summary>The receiver domain written in the file name and the Submitter of the subject (our host domain).</summary>
    public required string ReceiverDomain { get; init; }

    /// <summary>report_metadata/extra_contact_info, optional.</summary>
    public string? ExtraContactInfo { get; init; }

    /// <summary>
    /// Destinations used per report at most (RFC 7489 6.2 lets receivers limit them; at least two must be
    /// honoured).
    /// </summary>
    public int MaxDestinations { get; init; } = 4;
}
