namespace Gateway.Spam.Reputation;

/// <summary>What is wrong with a client's HELO/EHLO argument; each finding is a score input of its own.</summary>
[Flags]
public enum HeloFindings
{
    None = 0,

    /// <summary>Neither a fully qualified domain nor an address literal (RFC 5321 4.1.1.1, 2.3.5).</summary>
    Invalid = 1,

    /// <summary>Our own host name or one of our domains, or the address the client connected to: only we are us.</summary>
    IsOurs = 2,

    /// <summary>An address literal that is not the client's address (RFC 5321 4.1.4 lets a server note it).</summary>
    LiteralMismatch = 4,
}
