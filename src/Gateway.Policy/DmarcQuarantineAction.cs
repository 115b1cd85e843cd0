namespace Gateway.Policy;

/// <summary>What a DMARC p=quarantine verdict does (RFC 7489 6.3 leaves the handling to the receiver).</summary>
public enum DmarcQuarantineAction
{
    /// <summary>Queue the message on hold for an administrator.</summary>
    Hold,

    /// <summary>Deliver it; the result is only recorded in Authentication-Results.</summary>
    Deliver,
}
