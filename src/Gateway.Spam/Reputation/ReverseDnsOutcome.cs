namespace Gateway.Spam.Reputation;

/// <summary>Whether the client's reverse DNS is forward-confirmed.</summary>
public enum ReverseDnsOutcome
{
    /// <summary>A PTR name whose A/AAAA records include the client's address.</summary>
    Confirmed,

    /// <summary>No PTR record, or none of its names leads back to the client.</summary>
    NotConfirmed,

    /// <summary>A lookup failed or ran out of time before an answer was certain: not scored.</summary>
    Failed,
}
