namespace Gateway.Policy;

/// <summary>What a DMARC p=quarantine verdict does (RFC 7489 6.3 leaves the handling to the receiver).</summary>
public enum DmarcQuarantineAction
{
    /// <summary>Keep the message in the quarantine (held in the spool with its reason) for an administrator.</summary>
    Hold,

    /// <summary>Deliver it; the result is only recorded in Authentication-Results.</summary>
    Deliver,
}
