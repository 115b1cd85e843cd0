namespace Gateway.Authentication.Dmarc;

/// <summary>
/// Why the applied disposition differs from the Domain Owner's policy (RFC 7489 7.2 and Appendix C,
/// PolicyOverrideType). The evaluator sets <see cref="SampledOut"/> itself; the others are set by the policy
/// layer with <c>evaluation with { Override = ..., Disposition = ... }</c>.
/// </summary>
public enum DmarcPolicyOverride
{
    /// <summary>Relayed by a known forwarder, or local heuristics say the message was forwarded.</summary>
    Forwarded,

    /// <summary>Exempted by the record's pct= sampling (RFC 7489 6.6.4).</summary>
    SampledOut,

    /// <summary>Failure anticipated by evidence linking the message to a trusted forwarder (e.g. an ARC sealer).</summary>
    TrustedForwarder,

    /// <summary>Local heuristics say the message came through a mailing list.</summary>
    MailingList,

    /// <summary>Local policy exempted the message.</summary>
    LocalPolicy,

    /// <summary>Any other exception; say which in the comment.</summary>
    Other,
}
