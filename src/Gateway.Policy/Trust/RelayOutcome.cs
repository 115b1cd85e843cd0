namespace Gateway.Policy;

/// <summary>What a recipient means for this gateway.</summary>
public enum RelayOutcome
{
    /// <summary>A recipient in one of our domains (or the bare postmaster): accept and deliver inward.</summary>
    Inbound,

    /// <summary>A foreign recipient from a trusted client: accept and relay outward.</summary>
    Outbound,

    /// <summary>Refuse; the host answers 554 5.7.1 "Relay access denied".</summary>
    Denied,
}
