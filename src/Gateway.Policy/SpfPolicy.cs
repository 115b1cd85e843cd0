namespace Gateway.Policy;

/// <summary>SPF (authentication.spf:), RFC 7208.</summary>
public sealed record SpfPolicy
{
    /// <summary>Check SPF for mail from untrusted clients: the MAIL FROM identity, or HELO for the null sender (RFC 7208 2.4).</summary>
    public bool Verify { get; init; } = true;

    /// <summary>
    /// spf=fail is refused at MAIL FROM with 550 5.7.23 (RFC 7372 3.2). Off by default: RFC 7489 10.1 advises
    /// leaving the decision to DMARC, so mail that is forwarded but DKIM-signed still gets through.
    /// </summary>
    public bool RejectFail { get; init; }
}
