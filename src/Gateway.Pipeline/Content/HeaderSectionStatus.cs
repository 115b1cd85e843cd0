namespace Gateway.Pipeline.Content;

/// <summary>How far the header section of a message was captured.</summary>
internal enum HeaderSectionStatus
{
    /// <summary>Still arriving.</summary>
    Incomplete,

    /// <summary>Ended at the empty line (RFC 5322 2.1), within the bound.</summary>
    Complete,

    /// <summary>The message ended inside it: the whole message is header fields (no body).</summary>
    NoBody,

    /// <summary>Longer than the bound: refused, never judged by a part of it.</summary>
    TooLong,
}
