namespace Gateway.Authentication.Dmarc;

/// <summary>Identifier alignment mode (RFC 7489 3.1, tags adkim and aspf).</summary>
public enum DmarcAlignmentMode
{
    /// <summary>"r": the Organizational Domains must be equal (the default).</summary>
    Relaxed,

    /// <summary>"s": the domains must be identical.</summary>
    Strict,
}
