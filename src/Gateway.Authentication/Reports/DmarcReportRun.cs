namespace Gateway.Authentication.Reports;

/// <summary>A reporting period that was sent: its bounds and how many report mails were queued for it.</summary>
public sealed record DmarcReportRun(DateTimeOffset Begin, DateTimeOffset End, int Queued);
