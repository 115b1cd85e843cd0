namespace Gateway.Abstractions;

/// <summary>
/// Who the client of a session is, as the trust decision sees it. The classes are exclusive and ordered by what
/// they may do: a client in a trusted network is that even when it also authenticated.
/// </summary>
public enum ClientClass
{
    /// <summary>Anyone on the internet: may send only to our domains, and its mail is judged (SPF, DKIM, DMARC).</summary>
    Anonymous,

    /// <summary>Authenticated with SMTP AUTH, without relay rights (auth.allow_relay: false): like anonymous, but may use only its own sender addresses.</summary>
    Authenticated,

    /// <summary>Authenticated with relay rights: an internal sender that may use only its own sender addresses.</summary>
    AuthenticatedRelay,

    /// <summary>In trusted_networks (an internal mail server): may relay anything.</summary>
    TrustedNetwork,
}
