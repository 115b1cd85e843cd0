namespace Gateway.Smtp.Server;

/// <summary>Which HAProxy PROXY protocol header versions a listener expects before SMTP starts.</summary>
public enum ProxyProtocolMode
{
    /// <summary>No header: the socket's peer is the client.</summary>
    Off,

    /// <summary>Text header "PROXY TCP4 ..." only.</summary>
    V1,

    /// <summary>Binary header with the 12-octet signature only.</summary>
    V2,

    /// <summary>Either version.</summary>
    Any,
}
