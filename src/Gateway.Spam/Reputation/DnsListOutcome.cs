namespace Gateway.Spam.Reputation;

/// <summary>What one list said about one subject (an address or a domain).</summary>
public enum DnsListOutcome
{
    /// <summary>NXDOMAIN or NODATA, or only answers the entry's code filter does not count.</summary>
    NotListed,

    /// <summary>At least one answer in 127.0.0.0/8 that the entry's code filter counts.</summary>
    Listed,

    /// <summary>SERVFAIL or no answer in time: the list is skipped for this subject, never a verdict.</summary>
    Failed,

    /// <summary>
    /// An answer outside 127.0.0.0/8 (RFC 5782 2.3 puts listings there; anything else is a hijacked or wildcarded
    /// zone) or one of the list operators' error codes (127.255.255.0/24: Spamhaus's "query refused" answers):
    /// an error, not a listing.
    /// </summary>
    InvalidAnswer,
}
