namespace Gateway.Authentication.Spf;

/// <summary>The seven results of check_host() (RFC 7208 2.6), spelled as Authentication-Results writes them.</summary>
public enum SpfResult
{
    /// <summary>No SPF record, or no valid domain to check (RFC 7208 2.6.1).</summary>
    None,

    /// <summary>The domain states nothing about the client (RFC 7208 2.6.2).</summary>
    Neutral,

    /// <summary>The client is authorized (RFC 7208 2.6.3).</summary>
    Pass,

    /// <summary>The client is explicitly not authorized (RFC 7208 2.6.4).</summary>
    Fail,

    /// <summary>Probably not authorized; a weak statement (RFC 7208 2.6.5).</summary>
    SoftFail,

    /// <summary>A transient DNS error; a later retry may succeed (RFC 7208 2.6.6).</summary>
    TempError,

    /// <summary>The published records could not be interpreted (RFC 7208 2.6.7).</summary>
    PermError,
}
