using System.Net;
using Gateway.Abstractions;

namespace Gateway.Spam.Reputation;

/// <summary>
/// One list's answer about one subject: the outcome, the answers that counted (for a listing) or were refused (for
/// an invalid answer), and the DNS status behind a failure, for the log.
/// </summary>
public sealed record DnsListResult(DnsListDefinition List, string Subject, string QueryName, DnsListOutcome Outcome, IReadOnlyList<IPAddress> Codes, DnsStatus Status)
{
    /// <summary>The answers as text, for log lines ("127.0.0.2,127.0.0.4").</summary>
    public string CodeText => string.Join(',', Codes);
}
