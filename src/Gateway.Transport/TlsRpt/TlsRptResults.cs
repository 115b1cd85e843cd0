namespace Gateway.Transport.TlsRpt;

/// <summary>The sessions of one UTC day for one policy domain, per policy: what a report describes (RFC 8460 4).</summary>
public sealed record TlsRptDailyResults(DateOnly Day, string PolicyDomain, IReadOnlyList<TlsRptPolicyResults> Policies);

/// <summary>The counts of one policy (RFC 8460 4.3 "summary") and its failures grouped by detail ("failure-details").</summary>
public sealed record TlsRptPolicyResults(TlsRptPolicy Policy, long SuccessfulSessions, long FailedSessions, IReadOnlyList<TlsRptFailureCount> Failures);

/// <summary>One "failure-details" entry: a failure and how many sessions failed so ("failed-session-count").</summary>
public sealed record TlsRptFailureCount(TlsRptFailure Failure, long Sessions);
