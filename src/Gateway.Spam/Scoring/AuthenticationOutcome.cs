namespace Gateway.Spam.Scoring;

/// <summary>The result of one sender-authentication method as the scorer sees it (RFC 8601 result names, reduced).</summary>
public enum AuthenticationOutcome
{
    /// <summary>Not checked or nothing to check (no SPF record, no signature, no DMARC policy).</summary>
    None,
    Pass,
    Fail,
    SoftFail,
    Neutral,
    TempError,
    PermError,
}
