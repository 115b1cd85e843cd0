using Gateway.Abstractions;

namespace Gateway.Policy;

/// <summary>DMARC aggregate reports we send (authentication.dmarc.reports:), RFC 7489 7.2.</summary>
public sealed record DmarcReportsPolicy
{
    public bool Enabled { get; init; }

    /// <summary>Length of one reporting period; RFC 7489 7.2 ri= defaults to 86400 seconds.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromDays(1);

    /// <summary>report_metadata/org_name (RFC 7489 appendix C). Set whenever <see cref="Enabled"/> is.</summary>
    public string? OrgName { get; init; }

    /// <summary>Sender of the report messages: an address in one of our domains. Set whenever <see cref="Enabled"/> is.</summary>
    public Mailbox? From { get; init; }

    /// <summary>Evaluations recorded per day; beyond it they are dropped, which bounds the report store.</summary>
    public int MaxRecordsPerDay { get; init; } = 100_000;
}
