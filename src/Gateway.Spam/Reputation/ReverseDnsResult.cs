using Gateway.Abstractions;

namespace Gateway.Spam.Reputation;

/// <summary>The forward-confirmed reverse DNS of a client: the outcome, the confirmed name, and the status behind a failure.</summary>
public sealed record ReverseDnsResult(ReverseDnsOutcome Outcome, string? Name, DnsStatus Status);
