namespace Gateway.Authentication.Dmarc;

/// <summary>
/// The outcome of DMARC for one message: plain data for the policy layer (which decides what to do), the
/// Authentication-Results header and the aggregate reports. The policy layer records its local overrides with
/// <c>evaluation with { Override = DmarcPolicyOverride.TrustedForwarder, Disposition = DmarcPolicy.None }</c>.
/// </summary>
public sealed record DmarcEvaluation
{
    /// <summary>The DMARC result.</summary>
    public required DmarcResult Result { get; init; }

    /// <summary>A short reason for logs and the A-R reason property (never message content).</summary>
    public string? Reason { get; init; }

    /// <summary>The RFC5322.From author as evaluated.</summary>
    public required DmarcAuthor Author { get; init; }

    /// <summary>The Author Domain (A-labels, lowercase); null when the message has none.</summary>
    public string? HeaderFrom => Author.Domain;

    /// <summary>The Organizational Domain of the Author Domain (RFC 7489 3.2).</summary>
    public string? OrganizationalDomain { get; init; }

    /// <summary>The domain whose _dmarc record was used: the Author Domain or its Organizational Domain.</summary>
    public string? PolicyDomain { get; init; }

    /// <summary>The record used; null when none was found or it was unusable.</summary>
    public DmarcRecord? Record { get; init; }

    /// <summary>The Domain Owner's policy for this message (p, sp or np); null without a record.</summary>
    public DmarcPolicy? Policy { get; init; }

    /// <summary>Which tag gave <see cref="Policy"/>.</summary>
    public DmarcPolicySource? PolicySource { get; init; }

    /// <summary>
    /// What the Domain Owner asks to be done with this message: <see cref="DmarcPolicy.None"/> unless the result is
    /// Fail, then <see cref="Policy"/> after pct sampling (RFC 7489 6.6.4). A message with no usable From
    /// (RFC 7489 6.6.1: "typically rejected") is <see cref="DmarcPolicy.Reject"/>.
    /// </summary>
    public DmarcPolicy Disposition { get; init; }

    /// <summary>True when SPF passed for the MAIL FROM domain and it aligns with the Author Domain.</summary>
    public bool SpfAligned { get; init; }

    /// <summary>The d= domain of the first passing DKIM signature that aligns; null when none does.</summary>
    public string? DkimAlignedDomain { get; init; }

    /// <summary>True when a passing DKIM signature aligns.</summary>
    public bool DkimAligned => DkimAlignedDomain is not null;

    /// <summary>Why <see cref="Disposition"/> differs from <see cref="Policy"/> (RFC 7489 7.2 PolicyOverrideType).</summary>
    public DmarcPolicyOverride? Override { get; init; }

    /// <summary>Free text accompanying <see cref="Override"/> in reports.</summary>
    public string? OverrideComment { get; init; }
}
