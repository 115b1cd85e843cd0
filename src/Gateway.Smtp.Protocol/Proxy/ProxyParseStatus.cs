namespace Gateway.Smtp.Protocol;

/// <summary>Outcome of <see cref="ProxyProtocolParser.TryParse"/>.</summary>
public enum ProxyParseStatus
{
    /// <summary>More input is needed; the buffer is untouched.</summary>
    Incomplete,

    /// <summary>A header was read and consumed.</summary>
    Complete,

    /// <summary>Not a valid (or not an allowed) PROXY header: close the connection.</summary>
    Invalid,
}
