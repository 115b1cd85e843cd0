namespace Gateway.Authentication.Dmarc;

/// <summary>Which tag of the record gave the policy for this message.</summary>
public enum DmarcPolicySource
{
    /// <summary>"p": the record was found for the From domain itself, or the From domain is the Organizational Domain.</summary>
    Domain,

    /// <summary>"sp" (or "p" when sp is absent): the From domain is a subdomain using its Organizational Domain's record.</summary>
    Subdomain,

    /// <summary>"np" (DMARCbis): the From domain is a subdomain that does not exist in the DNS (NXDOMAIN).</summary>
    NonExistentSubdomain,
}
