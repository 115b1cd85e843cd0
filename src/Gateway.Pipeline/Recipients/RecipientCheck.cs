namespace Gateway.Pipeline.Recipients;

/// <summary>What recipient verification knows about an address.</summary>
public enum RecipientStatus
{
    /// <summary>The source knows the address, or the domain is not verified: accept.</summary>
    Known,

    /// <summary>The source says there is no such address: 550 5.1.1.</summary>
    Unknown,

    /// <summary>The source could not be asked or gave no verdict: 451 4.4.3, never an acceptance and never a 550.</summary>
    Unavailable,
}

/// <summary>
/// One answer of recipient verification: the status, which source gave it ("list", "ldap", "call-ahead", "cache"),
/// what it said (for the log), and the largest message the internal server declared when the check learned it.
/// </summary>
public sealed record RecipientCheck(RecipientStatus Status, string Source, string? Detail = null, long? MaxMessageSize = null)
{
    /// <summary>The domain has no recipient verification.</summary>
    public static RecipientCheck NotVerified { get; } = new(RecipientStatus.Known, "none");
}
