namespace Gateway.Authentication.Arc;

/// <summary>The chain validation status of an ARC chain (RFC 8617 4.4, the cv= values).</summary>
public enum ArcResult
{
    /// <summary>No ARC sets on the message.</summary>
    None,

    /// <summary>Every set is present and every seal and the newest message signature verify.</summary>
    Pass,

    /// <summary>The chain is broken, malformed, or a seal or the newest message signature does not verify.</summary>
    Fail,
}
