namespace Gateway.Delivery.Verification;

/// <summary>What the internal server said about an address when asked at RCPT.</summary>
public enum CallAheadOutcome
{
    /// <summary>250 or 251: it takes mail for the address.</summary>
    Accepted,

    /// <summary>550, 551 or 553: no such user, not local, mailbox name not allowed.</summary>
    Refused,

    /// <summary>No verdict: no route, no connection, a timeout, a 4xx or any other reply. Never a reason to accept or refuse.</summary>
    Unavailable,
}

/// <summary>
/// The answer of one call-ahead: the outcome, the server's reply (or what went wrong) for the log, and the largest
/// message the server declared in its EHLO SIZE (RFC 1870 4), when it did.
/// </summary>
public sealed record CallAheadResult(CallAheadOutcome Outcome, string Diagnostic, long? MaxMessageSize = null)
{
    public static CallAheadResult Unavailable(string diagnostic, long? maxMessageSize = null) => new(CallAheadOutcome.Unavailable, diagnostic, maxMessageSize);
}
