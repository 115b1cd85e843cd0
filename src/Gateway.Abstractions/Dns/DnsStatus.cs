namespace Gateway.Abstractions;

/// <summary>
/// The outcome of one DNS question. Verifiers and routers turn these into verdicts: NxDomain and NoData are
/// answers (the name or the record type does not exist), ServerFailure and Timeout are "could not tell" and
/// must be treated as temporary (RFC 5321 5.1, RFC 7208 5 for SPF).
/// </summary>
public enum DnsStatus
{
    /// <summary>NOERROR with at least one record of the asked type.</summary>
    Ok,

    /// <summary>NXDOMAIN (RCODE 3, RFC 1035 4.1.1): the name does not exist.</summary>
    NxDomain,

    /// <summary>NOERROR without records of the asked type (RFC 2308 2.2).</summary>
    NoData,

    /// <summary>SERVFAIL, REFUSED or another error answer: the servers could not answer.</summary>
    ServerFailure,

    /// <summary>No answer within the resolver's timeout and retries.</summary>
    Timeout,
}
