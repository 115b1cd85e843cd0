namespace Gateway.Authentication.Dmarc;

/// <summary>Which identity SPF checked (RFC 7489 Appendix C SPFDomainScope: "mfrom" or "helo").</summary>
public enum DmarcSpfScope
{
    /// <summary>The RFC5321.MailFrom domain: the only SPF identity that can align (RFC 7489 4.1).</summary>
    MailFrom,

    /// <summary>The HELO/EHLO domain (checked when MAIL FROM was null); reported but never aligned.</summary>
    Helo,
}
