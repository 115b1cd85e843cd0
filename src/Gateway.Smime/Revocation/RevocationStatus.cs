namespace Gateway.Smime.Revocation;

public enum RevocationStatus
{
    /// <summary>No revocation checker is configured, or the chain did not reach an anchor so there was nothing to ask.</summary>
    NotChecked,

    /// <summary>Every certificate below the anchor is covered by a current, correctly signed CRL that does not list it.</summary>
    Good,

    /// <summary>A certificate of the chain is listed on its issuer's CRL.</summary>
    Revoked,

    /// <summary>No usable CRL for some certificate (none published, unreachable, stale, badly signed, too large).</summary>
    Unknown,
}
