namespace Gateway.Policy;

/// <summary>What a DMARC temperror (a DNS failure, RFC 7489 6.6.3) does to the message.</summary>
public enum DmarcTempErrorAction
{
    /// <summary>451 4.7.1 at the end of DATA: the sender retries later.</summary>
    TempFail,

    /// <summary>Accept the message as if no policy applied.</summary>
    Accept,
}
