namespace Gateway.Smtp.Protocol;

/// <summary>What <see cref="ServerReplyReader.TryRead"/> found.</summary>
public enum ServerReplyStatus
{
    /// <summary>More input is needed.</summary>
    Incomplete,

    /// <summary>A whole reply: its last line had a space (or nothing) after the code (RFC 5321 4.2.1).</summary>
    Complete,

    /// <summary>A line that is not "ddd", "ddd text" or "ddd-text" with a 2xx-5xx code: the dialogue is lost.</summary>
    Malformed,
}
