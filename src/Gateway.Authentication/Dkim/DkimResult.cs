namespace Gateway.Authentication.Dkim;

/// <summary>
/// The result of verifying one DKIM signature, with the RFC 8601 2.7.1 names. Only <see cref="Pass"/> counts
/// for DMARC; a signature that verifies cryptographically but breaks local rules (rsa-sha1, RSA keys under
/// 1024 bits: RFC 8301) is <see cref="Policy"/>, never a pass.
/// </summary>
public enum DkimResult
{
    /// <summary>The message was not signed.</summary>
    None,

    /// <summary>The signature verified.</summary>
    Pass,

    /// <summary>The signature did not verify (body hash or signature mismatch).</summary>
    Fail,

    /// <summary>The signature verified but is not acceptable under local policy (RFC 8301 weak algorithms).</summary>
    Policy,

    /// <summary>The signature could not be processed (syntax errors, unusable key record).</summary>
    Neutral,

    /// <summary>The key could not be fetched for a transient reason (SERVFAIL, timeout).</summary>
    TempError,

    /// <summary>The signature or key is permanently unusable (no key record, revoked key, malformed tags).</summary>
    PermError,
}
